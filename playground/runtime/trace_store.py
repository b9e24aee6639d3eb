"""How a trace keeps its entries: blocks of compact columns, optionally on disk.

A long run records millions of entries. Kept as Python tuples, each costs
about 120 bytes before the floats, strings and dicts it points at; kept here,
an entry costs about 35 bytes. Every :attr:`~playground.runtime.trace.Trace.BLOCK`
entries the trace hands its recent tuples to :meth:`Store.add`, which turns
them into one :class:`Block`:

* times as an ``array('d')`` (the same 64-bit floats, bit for bit);
* kinds, components and message types as small codes into one table of names
  the whole trace shares;
* the three ids, and the details, each as one :mod:`marshal` string. Marshal
  writes an object that several entries share once and refers back to it, so
  a message id costs about 5 bytes wherever it appears again, and a detail
  several entries share (the routing note of a message type) is kept once per
  block; it gives back values of exactly the same types, with dict keys in the
  same order, so an entry's JSON (and every digest) is unchanged.

A detail marshal cannot write (an object with ``to_dict``) is kept as the
object itself. A block with a time that is not a float or a name that is not a
string keeps its tuples as they were.

With a file named, blocks past a number of entries kept in memory are pickled
to that file (their arrays and strings as raw bytes) and read back, one block
at a time, when an analysis walks over them.
"""

from __future__ import annotations

import marshal
import os
import pickle
from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any

class Block:
    """One block of entries: compact columns, or the original tuples when they could not be coded."""

    __slots__ = ("size", "time", "kind", "at", "type", "ids", "details", "objects", "rows")

    def __init__(self, size: int):
        self.size = size
        self.rows: list[tuple] | None = None
        self.objects: dict[int, Any] | None = None  # position → a detail marshal cannot write

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, name, None) for name in self.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)


class _Uncodable(Exception):
    """A block holds a value the columns cannot give back exactly: keep its tuples."""


#: The fields of a recorded tuple (an entry without its seq), in order.
FIELDS = ("time", "kind", "at", "type", "message_id", "correlation_id", "causation_id", "detail")
_NAMED = ("kind", "at", "type")
_IDS = ("message_id", "correlation_id", "causation_id")


class Store:
    """The sealed part of one trace: blocks in order, each in memory or in the spill file.

    A store of at most :attr:`KEEP_DECODED` blocks that never spills keeps every block it has decoded, so the
    analyses a chapter runs one after the other over the same small trace decode it once (the trace keeps
    its built entries up to a similar size, ``Trace.READ_CACHE``); a longer one keeps only the block decoded
    last, so its memory stays that of its compact blocks.
    """

    KEEP_DECODED = 48

    def __init__(self, block_size: int, spill_to: str | os.PathLike | None = None,
                 in_memory: int | None = None):
        self.block_size = block_size
        self.blocks: list[Block | tuple[int, int]] = []  # a tuple is (offset, length) in the spill file
        self.names: list[Any] = [None]
        self._name_codes: dict[Any, int] = {None: 0}
        self.spill_to = Path(spill_to) if spill_to is not None else None
        self._keep_blocks = None if in_memory is None else max(1, in_memory // block_size)
        self._in_memory: list[int] = []  # indexes of blocks still in memory, oldest first
        self._spilled_bytes = 0
        self._read: tuple[int, Block] | None = None  # the block read last from the file
        self._decoded: tuple[int, list[tuple]] | None = None  # the block decoded last
        self._decoded_all: dict[int, list[tuple]] = {}  # every block decoded, while the store is small
        if self.spill_to is not None:
            self.spill_to.write_bytes(b"")

    def __len__(self) -> int:
        return len(self.blocks) * self.block_size

    @property
    def spilled(self) -> bool:
        """Whether any block lives in the spill file."""
        return self._spilled_bytes > 0

    # -- sealing ------------------------------------------------------------------------------
    def add(self, rows: list[tuple]) -> None:
        """Seal ``rows`` (tuples of the eight fields after seq) as the next block."""
        block = Block(len(rows))
        try:
            self._code(block, rows)
        except (_Uncodable, TypeError, ValueError):  # TypeError: an unhashable name; ValueError: marshal refused an id
            block = Block(len(rows))
            block.rows = rows
        self.blocks.append(block)
        if len(self.blocks) > self.KEEP_DECODED and self._decoded_all:  # no longer small: keep only the last
            self._decoded_all.clear()
        if self._keep_blocks is not None:
            self._in_memory.append(len(self.blocks) - 1)
            while len(self._in_memory) > self._keep_blocks:
                self._spill(self._in_memory.pop(0))

    def _code(self, block: Block, rows: list[tuple]) -> None:
        times, kinds, ats, types, message_ids, correlation_ids, causation_ids, details = zip(*rows)
        if set(map(type, times)) != {float}:
            raise _Uncodable
        block.time = array("d", times)
        block.kind, block.at, block.type = self._name_column(kinds), self._name_column(ats), self._name_column(types)
        block.ids = marshal.dumps((message_ids, correlation_ids, causation_ids))
        try:
            block.details = marshal.dumps(details)
        except ValueError:  # some detail is not made of plain values: keep those as they are
            block.objects = {}
            for position, detail in enumerate(details):
                try:
                    marshal.dumps(detail)
                except ValueError:
                    block.objects[position] = detail
            block.details = marshal.dumps(tuple(None if i in block.objects else d for i, d in enumerate(details)))

    def _name_column(self, values: tuple) -> bytes | array:
        codes = self._name_codes
        code_of = itemgetter(*values)  # one C call for the whole column
        try:
            found = code_of(codes)
        except KeyError:  # a name this trace has not seen yet
            for name in set(values).difference(codes):
                if type(name) is not str:
                    raise _Uncodable from None
                codes[name] = len(self.names)
                self.names.append(name)
            found = code_of(codes)
        if len(values) == 1:
            found = (found,)
        try:
            return bytes(found)  # up to 256 names, one byte each
        except ValueError:
            return array("H" if len(self.names) <= 65536 else "q", found)

    # -- spilling -----------------------------------------------------------------------------
    def _spill(self, index: int) -> None:
        block = self.blocks[index]
        try:
            data = pickle.dumps(block, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a detail kept as an object that cannot be pickled: this block stays in memory
            return
        with open(self.spill_to, "ab") as out:
            out.write(data)
        self.blocks[index] = (self._spilled_bytes, len(data))
        self._spilled_bytes += len(data)

    def block(self, index: int) -> Block:
        """Block ``index``, read back from the spill file when it lives there."""
        block = self.blocks[index]
        if isinstance(block, Block):
            return block
        if self._read is not None and self._read[0] == index:
            return self._read[1]
        offset, length = block
        with open(self.spill_to, "rb") as spilled:
            spilled.seek(offset)
            loaded = pickle.loads(spilled.read(length))
        self._read = (index, loaded)
        return loaded

    # -- reading ------------------------------------------------------------------------------
    def rows(self, index: int) -> list[tuple]:
        """Block ``index`` as tuples of the eight fields after seq, equal to the ones recorded."""
        if self._decoded is not None and self._decoded[0] == index:
            return self._decoded[1]
        kept = self._decoded_all.get(index)
        if kept is not None:
            return kept
        block = self.block(index)
        if block.rows is not None:
            return block.rows
        name = self.names.__getitem__
        rows = list(zip(block.time, map(name, block.kind), map(name, block.at), map(name, block.type),
                        *marshal.loads(block.ids), self._details(block)))
        self._decoded = (index, rows)
        if len(self.blocks) <= self.KEEP_DECODED and self._keep_blocks is None:
            self._decoded_all[index] = rows
        elif self._decoded_all:
            self._decoded_all.clear()
        return rows

    def column(self, index: int, field: str, at: list[int] | None = None) -> list:
        """One field of block ``index``, decoded: all of it, or only the positions ``at`` (two or more)."""
        block = self.block(index)
        if block.rows is not None:
            position = FIELDS.index(field)
            rows = block.rows if at is None else itemgetter(*at)(block.rows)
            return [row[position] for row in rows]
        if field in _NAMED:  # only the codes wanted are looked up
            codes = getattr(block, field)
            return list(map(self.names.__getitem__, codes if at is None else itemgetter(*at)(codes)))
        if at is not None:
            return list(itemgetter(*at)(self.column(index, field)))
        if field == "time":
            return block.time.tolist()
        if field == "detail":
            return self._details(block)
        return list(marshal.loads(block.ids)[_IDS.index(field)])

    def positions(self, index: int, field: str, value: Any) -> list[int]:
        """Where in block ``index`` ``field`` equals ``value``."""
        block = self.block(index)
        if block.rows is None and field in _NAMED and (value is None or type(value) is str):
            code = self._name_codes.get(value)
            return [] if code is None else [i for i, c in enumerate(getattr(block, field)) if c == code]
        return [i for i, v in enumerate(self.column(index, field)) if v == value]

    def of_kinds(self, index: int, kinds: set[str]) -> list[int]:
        """Where in block ``index`` the entry is of one of ``kinds``."""
        block = self.block(index)
        if block.rows is not None:
            return [i for i, row in enumerate(block.rows) if row[1] in kinds]
        codes = {self._name_codes[k] for k in kinds if k in self._name_codes}
        kind = block.kind
        if type(kind) is bytes:  # one byte per code: one C pass marks the wanted ones
            marks = kind.translate(bytes(code in codes for code in range(256)))
        else:
            marks = map(codes.__contains__, kind)
        return list(compress(range(len(kind)), marks))

    def kinds(self, index: int) -> Counter:
        block = self.block(index)
        if block.rows is not None:
            return Counter(row[1] for row in block.rows)
        names = self.names
        return Counter({names[code]: n for code, n in Counter(block.kind).items()})

    @staticmethod
    def _details(block: Block) -> list[Any]:
        details = list(marshal.loads(block.details))
        for position, detail in (block.objects or {}).items():
            details[position] = detail
        return details


def iter_rows(store: Store, tail: list[tuple], start: int = 0) -> Iterator[tuple]:
    """Every recorded tuple from entry ``start`` on: the store's blocks, then ``tail`` (not yet sealed)."""
    size = store.block_size
    first = start // size
    for index in range(first, len(store.blocks)):
        rows = store.rows(index)
        yield from rows[start - index * size:] if index == first else rows
    yield from tail[max(0, start - len(store)):]
