"""Running counters of a live session, read from its trace a few entries at a time.

A live trace never stops growing, so nothing here rereads it: :meth:`Tally.update`
reads only the entries added since the last call. It keeps what the panel
shows — orders in flight, completed and cancelled, dead-lettered
messages, orders that broke an invariant, and each inbox's backlog — plus a sampled
history for the live plot.

Backlog follows :func:`playground.analysis.metrics.backlog`: a message counts
from the moment it is sent to an inbox until the consumer takes it out
(``deliver``); a dropped copy never counts, a duplicated one counts twice.

>>> from playground.runtime.trace import Trace
>>> trace = Trace()
>>> tally = Tally(trace, terminals={"OrderCompleted": "completed"}, inboxes=["invoices"])
>>> trace.record(0.0, "send", "customers", "PlaceOrder", "m1", "order-0001", None, {"to": ["invoices"]})
>>> tally.update(0.0)
>>> tally.counts()["in flight"], tally.backlog["invoices"]
(1, 1)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, Mapping

from playground.analysis.invariants import check
from playground.runtime.trace import Trace, TraceEntry

#: Counter names, in the order the panel shows them.
COUNTERS = ("in flight", "completed", "cancelled", "anomalies", "dead letters")
#: What each counter counts, as the panel labels it: orders, except the dead letters (messages).
LABELS = {"in flight": "orders in flight", "completed": "orders completed", "cancelled": "orders cancelled",
          "anomalies": "orders with an anomaly", "dead letters": "messages dead-lettered"}


class Tally:
    """Counters and history of one live session's trace.

    Args:
        trace: the session's trace (it keeps growing).
        terminals: terminal event type → outcome, e.g. ``{"OrderCompleted": "completed"}``;
            every outcome other than ``completed`` counts as cancelled (undone).
        inboxes: the inboxes whose backlog is followed.
        opens: the message type that opens a transaction (its correlation id).
    """

    def __init__(self, trace: Trace, *, terminals: Mapping[str, str], inboxes: Iterable[str],
                 opens: str = "PlaceOrder", scenario: str = "live", wiring: str = "live", start: str | None = None):
        self.trace = trace
        self.terminals = dict(terminals)
        self.opens = opens
        self.backlog: dict[str, int] = {name: 0 for name in inboxes}
        self.outcome: dict[str, str] = {}        # correlation id → outcome so far
        self._ends: Counter = Counter()          # outcome → how many, kept in step with `outcome`
        self.dead_letters = 0
        self.violations: dict[str, int] = {}     # correlation id → broken invariants at its last check
        self.history: dict[str, list[float]] = defaultdict(list)  # sampled series for the plot
        self._by_id: dict[str, list[TraceEntry]] = defaultdict(list)
        self._dirty: set[str] = set()
        self._seen = 0
        self._meta = (scenario, wiring, start)

    # -- reading the trace ---------------------------------------------------------------
    def update(self, now: float) -> None:
        """Read the entries added since the last call, then add one sample at simulated time ``now``."""
        entries = self.trace.entries
        new, self._seen = entries[self._seen:], len(entries)
        backlog, outcome, terminals = self.backlog, self.outcome, self.terminals
        for e in new:
            kind, cid = e.kind, e.correlation_id
            if cid is not None and cid in outcome or (kind == "send" and e.type == self.opens):
                self._by_id[cid].append(e)
                self._dirty.add(cid)
            if kind == "send":
                if e.type == self.opens and cid not in outcome:
                    self._set(cid, "unfinished")
                elif e.type in terminals and cid in outcome and outcome[cid] in ("unfinished", "dead-lettered"):
                    self._set(cid, terminals[e.type])
                for inbox in (e.detail or {}).get("to", ()):
                    if inbox in backlog:
                        backlog[inbox] += 1
            elif kind == "deliver" or kind == "redeliver":
                if e.at in backlog:
                    backlog[e.at] += -1 if kind == "deliver" else 1
            elif kind == "fault" and isinstance(e.detail, dict) and e.detail.get("inbox") in backlog:
                if e.detail["fault"] == "drop":
                    backlog[e.detail["inbox"]] -= 1
                elif e.detail["fault"] == "duplicate":
                    backlog[e.detail["inbox"]] += e.detail["copies"]
            elif kind == "dead_letter":
                self.dead_letters += 1
                if outcome.get(cid) == "unfinished":
                    self._set(cid, "dead-lettered")
        self._sample(now)

    def _set(self, cid: str, state: str) -> None:
        before = self.outcome.get(cid)
        if before is not None:
            self._ends[before] -= 1
        self.outcome[cid] = state
        self._ends[state] += 1

    def _sample(self, now: float) -> None:
        counts = self.counts()
        history = self.history
        history["time"].append(now)
        for name in ("in flight", "completed", "cancelled"):
            history[name].append(counts[name])
        history["backlog"].append(sum(self.backlog.values()))
        for inbox, level in self.backlog.items():
            history[f"backlog:{inbox}"].append(level)

    # -- invariants ---------------------------------------------------------------------------
    def check_invariants(self) -> int:
        """Re-check the invariants for finished transactions that changed since the last check.

        A transaction still in flight is not judged (a charge before its
        invoice is paid is normal mid-flight); once it has ended, every later
        entry of it is checked again — a duplicate email after completion counts.
        """
        from playground.runtime.result import Result

        scenario, wiring, start = self._meta
        for cid in [c for c in self._dirty if self.outcome.get(c, "unfinished") != "unfinished"]:
            self._dirty.discard(cid)
            part = Trace()
            for e in self._by_id[cid]:
                part.record(*e[1:])
            result = Result(scenario, wiring, 0, part, {cid: self.outcome[cid]}, [], {}, 0.0,
                            terminals=self.terminals, start=start)
            self.violations[cid] = sum(len(v) for v in check(result).values())
        return self.anomalies

    @property
    def anomalies(self) -> int:
        """Orders that broke at least one invariant (an order breaking two still counts once)."""
        return sum(1 for broken in self.violations.values() if broken)

    def counts(self) -> dict[str, int]:
        """The panel's counters: orders in flight, completed, cancelled, with an anomaly; dead-lettered messages."""
        ends = self._ends
        cancelled = sum(n for state, n in ends.items() if state not in ("unfinished", "completed", "dead-lettered"))
        return {"in flight": ends["unfinished"], "completed": ends["completed"], "cancelled": cancelled,
                "anomalies": self.anomalies, "dead letters": self.dead_letters}
