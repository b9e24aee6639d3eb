"""The trace of a live (real-time) process: same entries, optionally streamed to a file, effects collected.

A Kafka worker may run for hours, so keeping every entry in memory is a
choice (``keep``); ``sink`` appends each entry as a JSON line as it happens,
so several processes' traces can be merged and analysed afterwards with
:func:`read_traces` like any simulated run. While a message is handled, the
effects its service notes are also collected, so the Kafka bus can commit
them with the service's state.

>>> import io
>>> out = io.StringIO()
>>> trace = LiveTrace(sink=out)
>>> with collecting_effects(trace) as effects:
...     trace.record(1.0, "effect", "payments", "InvoiceCreated", "m1", "o-1", None, {"effect": "charge", "key": "o-1"})
>>> effects, len(trace), out.getvalue().count("\\n")
([('m1', {'effect': 'charge', 'key': 'o-1'})], 1, 1)
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from typing import IO, Any, Iterable, Iterator

from playground.runtime.trace import Trace, TraceEntry


_EFFECTS: contextvars.ContextVar[list | None] = contextvars.ContextVar("playground_effects", default=None)


class LiveTrace(Trace):
    """A :class:`Trace` for real-time runs.

    Args:
        keep: keep entries in memory (for analysis in the same process).
        sink: a text file to append every entry to as one JSON line.
    """

    def __init__(self, *, keep: bool = True, sink: IO[str] | None = None):
        super().__init__()
        self.keep = keep
        self.sink = sink
        self._written = 0

    def record(self, time: float, kind: str, at: str, type: str | None = None,
               message_id: str | None = None, correlation_id: str | None = None,
               causation_id: str | None = None, detail: Any = None) -> None:
        if kind == "effect":
            collector = _EFFECTS.get()
            if collector is not None:
                collector.append((message_id, detail))
        if self.keep:
            super().record(time, kind, at, type, message_id, correlation_id, causation_id, detail)
        if self.sink is not None:
            entry = TraceEntry(self._written, time, kind, at, type, message_id, correlation_id, causation_id, detail)
            self.sink.write(entry.to_json() + "\n")
            self._written += 1


@contextlib.contextmanager
def collecting_effects(trace: Trace) -> Iterator[list[tuple[str | None, Any]]]:
    """Collect ``(message_id, detail)`` of every effect recorded in this task while the block runs."""
    effects: list = []
    token = _EFFECTS.set(effects)
    try:
        yield effects
    finally:
        _EFFECTS.reset(token)


def read_traces(lines: Iterable[str]) -> Trace:
    """One :class:`Trace` from JSON lines of one or more live traces, ordered by time.

    Entries of several processes interleave by their (real) time stamps;
    within one process the original order is kept. Times become seconds
    since the earliest entry, so they read like a simulated run's.
    """
    rows = [json.loads(line) for line in lines if line.strip()]
    rows.sort(key=lambda r: r["time"])
    origin = rows[0]["time"] if rows else 0.0
    trace = Trace()
    for r in rows:
        trace.record(round(r["time"] - origin, 6), r["kind"], r["at"], r["type"], r["message_id"],
                     r["correlation_id"], r["causation_id"], r["detail"])
    return trace
