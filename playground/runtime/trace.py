"""The trace: an ordered record of everything that happened in a run.

Every picture, invariant, metric and grader in the course reads this one
record, so both wirings are judged by the same evidence.

>>> trace = Trace()
>>> trace.record(0.0, "send", "orders", "OrderPlaced", "m000001", "order-0001", None)
>>> trace.record(0.0, "deliver", "invoices", "OrderPlaced", "m000001", "order-0001", None)
>>> [e.kind for e in trace.where(correlation_id="order-0001")]
['send', 'deliver']
>>> print(trace.entries[0].to_json())
{"seq":0,"time":0.0,"kind":"send","at":"orders","type":"OrderPlaced","message_id":"m000001","correlation_id":"order-0001","causation_id":null,"detail":null}
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from playground.errors import ScenarioError, UnknownTransaction
from playground.runtime.trace_store import FIELDS, Store, iter_rows

#: What each kind of entry means. ``at`` is always the component where it happened.
KINDS = {
    "send": "a component put a message on the bus (detail: the inboxes it was routed to)",
    "deliver": "a component took a message from its inbox",
    "start": "a handler began working on a delivered message",
    "end": "a handler finished (detail: the command it ran)",
    "state": "a component changed state (detail: from, to, and the instance)",
    "effect": "a service did something with consequences outside itself (charge, refund, email...)",
    "data": "a value a service holds changed, or a decision read one (detail: role record, copy or read; key, value, version)",
    "fault": "an injected fault happened (detail: which)",
    "redeliver": "a message was not acknowledged and goes back to its inbox",
    "dead_letter": "a message could not be handled and was parked with a reason",
    "timeout": "a wait ended because its deadline passed (detail: instance, step, after; undo: true for a compensation)",
    "retry": "a failed step is tried again (detail: instance, step, attempt; undo for a compensation, why when not a failure)",
    "compensate": "a completed step is being undone (detail: instance, step)",
    "step": "a saga step ended (detail: instance, step, outcome: done, failed or compensated; late when its reply came after the deadline)",
}


class TraceEntry(NamedTuple):
    seq: int
    time: float
    kind: str
    at: str
    type: str | None
    message_id: str | None
    correlation_id: str | None
    causation_id: str | None
    detail: Any

    def to_json(self) -> str:
        return _json_line(self[0], self[1:])


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot put {type(value).__name__} in a trace")


#: One encoder for every entry: what json.dumps(value, separators=(",", ":"), default=_plain) gives, without
#: building an encoder per call.
_to_json = json.JSONEncoder(separators=(",", ":"), default=_plain).encode
_quote = json.encoder.encode_basestring_ascii  # how that encoder writes a string


def _json_value(value: Any) -> str:
    if type(value) is str:
        return _quote(value)
    return "null" if value is None else _to_json(value)


def _json_line(seq: int, row: tuple) -> str:
    """An entry as one JSON object, exactly as ``_to_json`` writes its dict of fields, with less work per entry."""
    time, kind, at, type_, message_id, correlation_id, causation_id, detail = row
    when = float.__repr__(time) if type(time) is float and math.isfinite(time) else _to_json(time)
    return (f'{{"seq":{seq},"time":{when},"kind":{_json_value(kind)},"at":{_json_value(at)},'
            f'"type":{_json_value(type_)},"message_id":{_json_value(message_id)},'
            f'"correlation_id":{_json_value(correlation_id)},"causation_id":{_json_value(causation_id)},'
            f'"detail":{_json_value(detail)}}}')


class Trace:
    """An append-only sequence of :class:`TraceEntry`, with a few questions it can answer.

    Entries are kept compactly (see :mod:`playground.runtime.trace_store`) and
    built as :class:`TraceEntry` objects when read. A trace of at most
    :attr:`READ_CACHE` entries keeps the entries it built, so reading it again
    costs nothing; a longer one builds them afresh on every read and holds only
    the compact form.

    Args:
        spill_to: a file for the entries past ``in_memory``; every analysis still reads them (more slowly).
            The file is written afresh and holds the blocks in this process's own format.
        in_memory: how many entries stay in memory when ``spill_to`` is given (:attr:`IN_MEMORY` by
            default); whole blocks of :attr:`BLOCK` entries move to the file, at least one stays.
    """

    #: Entries per compact block; recent entries wait as plain tuples until a block is full.
    BLOCK = 4096
    #: A trace up to this many entries keeps the entries a read built.
    READ_CACHE = 200_000
    #: Entries kept in memory by default when the trace spills to a file.
    IN_MEMORY = 100_000

    def __init__(self, *, spill_to: str | os.PathLike | None = None, in_memory: int | None = None) -> None:
        spill_to, in_memory = spill_options(spill_to, in_memory, default=self.IN_MEMORY)
        self._raw: list[tuple] = []  # the latest entries, as plain tuples, until a block is full
        self._store = Store(self.BLOCK, spill_to, in_memory)
        self._block = self.BLOCK
        self._entries: list[TraceEntry] = []  # entries already built, while the trace is small

    def record(self, time: float, kind: str, at: str, type: str | None = None,
               message_id: str | None = None, correlation_id: str | None = None,
               causation_id: str | None = None, detail: Any = None) -> None:
        raw = self._raw
        raw.append((time, kind, at, type, message_id, correlation_id, causation_id, detail))
        if len(raw) >= self._block:
            self._store.add(raw)
            self._raw = []

    @property
    def spill_to(self) -> Path | None:
        """The file this trace spills to, if any."""
        return self._store.spill_to

    def _cached(self) -> bool:
        return len(self) <= self.READ_CACHE and not self._store.spilled

    @property
    def entries(self) -> Sequence[TraceEntry]:
        """Every entry so far, in order: a list while the trace is small, else a sequence built as it is read."""
        if not self._cached():
            self._entries = []
            return Entries(self)
        done = len(self._entries)
        if done < len(self):
            self._entries.extend(map(TraceEntry._make, self._rows(done)))
        return self._entries

    def _rows(self, start: int = 0) -> Iterator[tuple]:
        """Entries from ``start`` on as tuples with their seq number first."""
        return ((seq, *row) for seq, row in enumerate(iter_rows(self._store, self._raw, start), start))

    def raw(self) -> Rows:
        """Entries as plain tuples without their seq number, in order — a cheaper read for whole-trace scans."""
        return Rows(self)

    def _row(self, index: int) -> tuple:
        """Entry ``index`` (0 ≤ index < len) as a plain tuple without its seq number."""
        store = self._store
        if index >= len(store):
            return self._raw[index - len(store)]
        block, at = divmod(index, store.block_size)
        return store.rows(block)[at]

    def fields(self, *names: str, kinds: Iterable[str] | None = None) -> Iterator[tuple]:
        """The named fields of every entry (of the given kinds only, if given), as tuples, in order.

        >>> trace = Trace()
        >>> trace.record(0.0, "send", "orders", "OrderPlaced", "m1", "order-1", None)
        >>> trace.record(0.1, "deliver", "invoices", "OrderPlaced", "m1", "order-1", None)
        >>> list(trace.fields("at", "time", kinds=["deliver"]))
        [('invoices', 0.1)]
        """
        unknown = [n for n in names if n not in TraceEntry._fields]
        if unknown:
            raise ValueError(f"A trace entry has no field {unknown[0]!r}; its fields are {', '.join(TraceEntry._fields)}.")
        wanted = None if kinds is None else set(kinds)
        store = self._store
        for index in range(len(store.blocks)):
            base = index * store.block_size
            keep = None if wanted is None else store.of_kinds(index, wanted)
            if keep == []:
                continue
            if keep is None or len(keep) == 1 or not names:
                columns = [range(base, base + store.block_size) if n == "seq" else store.column(index, n)
                           for n in names]
                yield from zip(*columns) if keep is None else (tuple(column[i] for column in columns) for i in keep)
            else:  # each column decodes only the kept positions
                yield from zip(*(itemgetter(*keep)(range(base, base + store.block_size)) if n == "seq"
                                 else store.column(index, n, keep) for n in names))
        base = len(store)
        if names and "seq" not in names:
            rows = self._raw if wanted is None else (row for row in self._raw if row[1] in wanted)
            pick = itemgetter(*(FIELDS.index(n) for n in names))
            yield from map(pick, rows) if len(names) > 1 else ((pick(row),) for row in rows)
            return
        at = [TraceEntry._fields.index(n) for n in names]
        for seq, row in enumerate(self._raw, base):
            if wanted is None or row[1] in wanted:
                full = (seq, *row)
                yield tuple(full[i] for i in at)

    def __len__(self) -> int:
        return len(self._store) + len(self._raw)

    def __iter__(self) -> Iterator[TraceEntry]:
        return iter(self.entries)

    def where(self, **match: Any) -> list[TraceEntry]:
        """Entries whose fields equal every given value, e.g. ``where(kind="dead_letter")``."""
        if self._cached() or not match:
            return [e for e in self.entries if all(getattr(e, k) == v for k, v in match.items())]
        # A long trace: find candidates by one field's column (a name's code if possible), build only those.
        field = min(match, key=lambda k: _FIND_ORDER.index(k) if k in _FIND_ORDER else len(_FIND_ORDER))
        found, store = [], self._store
        if field in FIELDS:
            for index in range(len(store.blocks)):
                base, at = index * store.block_size, store.positions(index, field, match[field])
                if at:
                    rows = store.rows(index)
                    found.extend(e for e in (TraceEntry(base + i, *rows[i]) for i in at)
                                 if all(getattr(e, k) == v for k, v in match.items()))
            rest = map(TraceEntry._make, self._rows(len(store)))
        else:
            rest = iter(self.entries)
        found.extend(e for e in rest if all(getattr(e, k) == v for k, v in match.items()))
        return found

    def kinds(self) -> Counter:
        counts: Counter = Counter()
        for index in range(len(self._store.blocks)):
            counts.update(self._store.kinds(index))
        counts.update(row[1] for row in self._raw)
        return counts

    def to_jsonl(self) -> str:
        """One JSON object per line, in order; identical runs give identical text."""
        return "".join(self._jsonl())

    def _jsonl(self) -> Iterator[str]:
        """The JSON lines of every entry, a block at a time (built from raw rows: no entry object per line)."""
        line, lines = _json_line, []
        for seq, row in enumerate(iter_rows(self._store, self._raw)):
            lines.append(line(seq, row))
            if len(lines) == self.BLOCK:
                lines.append("")
                yield "\n".join(lines)
                lines = []
        if lines:
            lines.append("")
            yield "\n".join(lines)

    def digest(self) -> str:
        """A short fingerprint of the whole trace, for comparing runs at a glance.

        Kept with the length it was computed at: a trace only grows, so at the same length it is the same.
        """
        known = getattr(self, "_digest", None)
        if known is not None and known[0] == len(self):
            return known[1]
        digest = hashlib.sha256()
        for text in self._jsonl():
            digest.update(text.encode())
        self._digest = (len(self), digest.hexdigest()[:16])
        return self._digest[1]

    def story(self, correlation_id: str, kinds: Iterable[str] = ("send", "start", "dead_letter")) -> Excerpt:
        """One business transaction's entries of the given kinds, as a readable table.

        >>> trace = Trace()
        >>> trace.record(1.5, "send", "orders", "OrderPlaced", "m000001", "order-0001", None, {"to": ["invoices"]})
        >>> print(trace.story("order-0001"))
          seq      time  kind          at           type                 message    caused by   detail
            0     1.500  send          orders       OrderPlaced          m000001    -           to: invoices
        >>> trace.story("order-1")
        Traceback (most recent call last):
        ...
        playground.errors.UnknownTransaction: No message in this trace carries 'order-1'; its only id is order-0001 — did you mean 'order-0001'?
        """
        wanted = set(kinds)
        mine = self.where(correlation_id=correlation_id)
        if not mine:
            raise UnknownTransaction(self._no_such_id(correlation_id))
        return Excerpt([e for e in mine if e.kind in wanted])

    def correlation_ids(self) -> list[str]:
        """Every correlation id in the trace, in the order each first appears."""
        seen: dict[str, None] = {}
        for index in range(len(self._store.blocks)):
            seen.update(dict.fromkeys(self._store.column(index, "correlation_id")))
        seen.update(dict.fromkeys(row[5] for row in self._raw))
        seen.pop(None, None)
        return list(seen)

    def _no_such_id(self, asked: Any) -> str:
        ids = self.correlation_ids()
        if not ids:
            return f"No message in this trace carries {asked!r}; the trace has no correlation ids at all."
        known = f"its {len(ids):,} ids run from {ids[0]} to {ids[-1]}" if len(ids) > 1 else f"its only id is {ids[0]}"
        guess = _closest(str(asked), ids)
        hint = f" — did you mean {guess!r}?" if guess else "."
        return f"No message in this trace carries {asked!r}; {known}{hint}"


#: Fields :meth:`Trace.where` prefers to search a long trace by, cheapest first.
_FIND_ORDER = ("kind", "at", "type", "correlation_id", "message_id", "causation_id", "time", "detail")


class Rows(Sequence):
    """The recorded tuples of a trace (entries without their seq), decoded block by block as they are read."""

    def __init__(self, trace: Trace):
        self._trace = trace

    def __len__(self) -> int:
        return len(self._trace)

    def __iter__(self) -> Iterator[tuple]:
        return iter_rows(self._trace._store, self._trace._raw)

    def _from(self, start: int) -> Iterator:
        return iter_rows(self._trace._store, self._trace._raw, start)

    def __getitem__(self, index: int | slice) -> Any:
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return list(itertools.islice(self._from(start), max(0, stop - start)))
        if not -n <= index < n:
            raise IndexError(f"trace entry {index} is out of range: the trace has {n:,} entries")
        return self._one(index % n)

    def _one(self, index: int) -> tuple:
        return self._trace._row(index)

    def __repr__(self) -> str:
        return f"<{len(self):,} trace entries>"


class Entries(Rows):
    """The entries of a long trace, built from its compact form each time they are read."""

    def __iter__(self) -> Iterator[TraceEntry]:
        return map(TraceEntry._make, self._trace._rows())

    def _from(self, start: int) -> Iterator:
        return map(TraceEntry._make, self._trace._rows(start))

    def _one(self, index: int) -> TraceEntry:
        return TraceEntry(index, *self._trace._row(index))


def spill_options(spill_to: Any, in_memory: Any, *, default: int,
                  names: tuple[str, str] = ("spill_to", "in_memory")) -> tuple[Path | None, int | None]:
    """Check where a trace may spill and how much of it stays in memory; one sentence when either is wrong.

    >>> spill_options(None, 5_000, default=100_000, names=("trace_to", "trace_in_memory"))
    Traceback (most recent call last):
    ...
    playground.errors.ScenarioError: trace_in_memory= says how many trace entries stay in memory while the rest go to a file; give trace_to= a file as well.
    """
    file, count = names
    if spill_to is None:
        if in_memory is not None:
            raise ScenarioError(f"{count}= says how many trace entries stay in memory while the rest go to a file; "
                                f"give {file}= a file as well.")
        return None, None
    if not isinstance(spill_to, (str, os.PathLike)) or not str(spill_to):
        raise ScenarioError(f"{file}= takes the path of a file to write the trace to, e.g. 'run.trace', "
                            f"not {spill_to!r}.")
    path = Path(spill_to)
    if path.is_dir():
        raise ScenarioError(f"{file}={str(spill_to)!r} is a folder; name a file inside it, e.g. "
                            f"{str(path / 'run.trace')!r}.")
    if not path.parent.is_dir():
        raise ScenarioError(f"{file}={str(spill_to)!r} is in a folder that does not exist; create the folder "
                            "first or name a file in an existing one.")
    if in_memory is None:
        return path, default
    if not isinstance(in_memory, int) or isinstance(in_memory, bool) or in_memory < 0:
        raise ScenarioError(f"{count}= must be a whole number of trace entries of at least 0, not {in_memory!r}.")
    return path, in_memory


def _closest(asked: str, ids: list[str]) -> str | None:
    """The id a learner probably meant: the same prefix and number written differently (order-42 → order-0042), or a near spelling."""
    match = re.fullmatch(r"(.*?)(\d+)", asked)
    if match:
        prefix, number = match.group(1), int(match.group(2))
        for candidate in ids:
            other = re.fullmatch(r"(.*?)(\d+)", candidate)
            if other and other.group(1) == prefix and int(other.group(2)) == number:
                return candidate
    close = difflib.get_close_matches(asked, ids, n=1)
    return close[0] if close else None


def _detail_text(detail: Any) -> str:
    if detail is None:
        return ""
    if isinstance(detail, dict):
        return ", ".join(f"{k}: {(', '.join(map(str, v)) or 'nobody') if isinstance(v, list) else v}"
                         for k, v in detail.items())
    return str(detail)


class Excerpt(list):
    """A list of trace entries that prints as an aligned table (and as HTML in a notebook)."""

    COLUMNS = ("seq", "time", "kind", "at", "type", "message", "caused by", "detail")

    def rows(self) -> list[tuple[str, ...]]:
        return [(str(e.seq), f"{e.time:.3f}", e.kind, e.at, e.type or "-", e.message_id or "-",
                 e.causation_id or "-", _detail_text(e.detail)) for e in self]

    #: The narrowest each column prints (the detail, last, is never padded).
    WIDTHS = (5, 8, 12, 11, 19, 9, 10, 0)

    def __str__(self) -> str:
        """The entries as a table whose columns stay aligned however long a cell gets.

        A column grows to its longest cell: a time past 100,000 simulated seconds, a long
        component or message type, a sequence number past 99,999.

        >>> from playground.runtime.trace import TraceEntry
        >>> print(Excerpt([TraceEntry(7, 5.0, "send", "port", "Docked", "m1", "s1", None, None),
        ...                TraceEntry(123456, 162145.685, "deliver", "orchestrator", "CustomsHoldPlaced", "m2",
        ...                           "s1", None, None)]))
           seq        time  kind          at            type                 message    caused by   detail
             7       5.000  send          port          Docked               m1         -
        123456  162145.685  deliver       orchestrator  CustomsHoldPlaced    m2         -
        """
        rows = self.rows()
        widths = [max([w, *(len(r[k]) for r in rows)]) if w else 0 for k, w in enumerate(self.WIDTHS)]
        aligns = (">", ">", "<", "<", "<", "<", "<", "<")
        lines = []
        for row in [self.COLUMNS, *rows]:
            cells = [f"{c:{a}{w}}" if w else c for c, w, a in zip(row, widths, aligns)]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f"<th>{escape(c)}</th>" for c in self.COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in self.rows())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        return str(self)
