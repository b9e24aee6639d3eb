"""What a run produced: the :class:`Result` every scenario returns and every analysis reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

from playground.runtime.envelope import DeadLetter
from playground.runtime.trace import Trace


@dataclass
class Result:
    """What a run produced: the trace, each business transaction's outcome, and the services' end state."""

    scenario: str
    wiring: str
    seed: int
    trace: Trace
    outcomes: dict[str, str]
    dead_letters: list[DeadLetter]
    #: the run's services by name, in their end state (read their attributes; they no longer run).
    services: dict[str, Any]
    finished_at: float
    extras: dict[str, Any] = field(default_factory=dict)
    #: terminal event type → the outcome it stands for, e.g. ``{"OrderCompleted": "completed"}``.
    terminals: Mapping[str, str] = field(default_factory=dict)
    #: the message type that opens one of this scenario's transactions, e.g. ``"OrderPlaced"``.
    start: str | None = None
    #: what one business transaction is called in summaries ("orders", "trips"...).
    unit: str = "transactions"

    def counts(self) -> Counter:
        """How many transactions ended each way, e.g. ``{'completed': 95, 'cancelled': 5}``."""
        return Counter(self.outcomes.values())

    def summary(self) -> str:
        counts = self.counts()
        ended = ", ".join(f"{n:,} {state}" for state, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        kinds = self.trace.kinds()
        return "\n".join([
            f"{self.scenario} · {self.wiring} · seed {self.seed}",
            f"{len(self.outcomes):,} {self.unit} in {self.finished_at:,.1f} simulated seconds: {ended or 'none'}",
            f"{kinds['send']:,} messages sent, {kinds['end']:,} handled, {len(self.dead_letters):,} dead-lettered",
            f"trace {self.trace.digest()} ({len(self.trace):,} entries)",
        ])

    def __repr__(self) -> str:
        return self.summary()


def outcomes_from(trace: Trace, ids: list[str], terminals: Mapping[str, str]) -> dict[str, str]:
    """Each id's outcome from the trace: its terminal event(s), 'dead-lettered' or 'unfinished'."""
    ends: dict[str, list[str]] = {i: [] for i in ids}
    parked: set[str] = set()
    for kind, type_, correlation_id in trace.fields("kind", "type", "correlation_id", kinds=("send", "dead_letter")):
        if kind == "send":
            if type_ in terminals:
                found = ends.get(correlation_id)
                if found is not None and terminals[type_] not in found:
                    found.append(terminals[type_])
        elif kind == "dead_letter":
            parked.add(correlation_id)
    return {i: "+".join(found) if found else ("dead-lettered" if i in parked else "unfinished")
            for i, found in ends.items()}
