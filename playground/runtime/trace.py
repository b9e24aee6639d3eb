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
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from playground.errors import UnknownTransaction

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
        return json.dumps(self._asdict(), sort_keys=False, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot put {type(value).__name__} in a trace")


class Trace:
    """An append-only list of :class:`TraceEntry`, with a few questions it can answer."""

    def __init__(self) -> None:
        # Raw tuples while recording (cheaper to build than named ones on the hot
        # path); turned into TraceEntry objects on first read.
        self._raw: list[tuple] = []
        self._entries: list[TraceEntry] = []

    def record(self, time: float, kind: str, at: str, type: str | None = None,
               message_id: str | None = None, correlation_id: str | None = None,
               causation_id: str | None = None, detail: Any = None) -> None:
        self._raw.append((time, kind, at, type, message_id, correlation_id, causation_id, detail))

    @property
    def entries(self) -> list[TraceEntry]:
        """Every entry so far, in order."""
        done, raw = len(self._entries), self._raw
        if done < len(raw):
            make = TraceEntry._make
            self._entries.extend(make((seq, *raw[seq])) for seq in range(done, len(raw)))
        return self._entries

    def raw(self) -> list[tuple]:
        """Entries as plain tuples without their seq number — a cheaper read for whole-trace scans."""
        return self._raw

    def __len__(self) -> int:
        return len(self._raw)

    def __iter__(self) -> Iterator[TraceEntry]:
        return iter(self.entries)

    def where(self, **match: Any) -> list[TraceEntry]:
        """Entries whose fields equal every given value, e.g. ``where(kind="dead_letter")``."""
        return [e for e in self.entries if all(getattr(e, k) == v for k, v in match.items())]

    def kinds(self) -> Counter:
        return Counter(e.kind for e in self.entries)

    def to_jsonl(self) -> str:
        """One JSON object per line, in order; identical runs give identical text."""
        return "".join(e.to_json() + "\n" for e in self.entries)

    def digest(self) -> str:
        """A short fingerprint of the whole trace, for comparing runs at a glance."""
        return hashlib.sha256(self.to_jsonl().encode()).hexdigest()[:16]

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
        story = Excerpt([e for e in self.entries if e.correlation_id == correlation_id and e.kind in wanted])
        if not story and not any(e[5] == correlation_id for e in self._raw):
            raise UnknownTransaction(self._no_such_id(correlation_id))
        return story

    def correlation_ids(self) -> list[str]:
        """Every correlation id in the trace, in the order each first appears."""
        return list(dict.fromkeys(e[5] for e in self._raw if e[5] is not None))

    def _no_such_id(self, asked: Any) -> str:
        ids = self.correlation_ids()
        if not ids:
            return f"No message in this trace carries {asked!r}; the trace has no correlation ids at all."
        known = f"its {len(ids):,} ids run from {ids[0]} to {ids[-1]}" if len(ids) > 1 else f"its only id is {ids[0]}"
        guess = _closest(str(asked), ids)
        hint = f" — did you mean {guess!r}?" if guess else "."
        return f"No message in this trace carries {asked!r}; {known}{hint}"


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
