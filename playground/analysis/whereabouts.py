""""Where is order 42?" answered the choreography way: by correlating every service's events.

Nobody in a choreography holds the state of an order. The answer has to be
pieced together from the events each service published, joined on their
correlation id — which works only as long as every service passes that id on.

>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=3, seed=1).run()
>>> print(reconstruct(result, "order-0002").answer())
order-0002: completed at 1.19 s (8 messages from 6 components, 1 of them after the outcome)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace, TraceEntry
    from playground.runtime.result import Result


@dataclass(frozen=True)
class Step:
    """One message of the transaction: who sent it when, and who had handled it by the time asked."""

    time: float
    sender: str
    type: str
    message_id: str
    handled_by: tuple[str, ...]
    waiting_at: tuple[str, ...]


@dataclass(frozen=True)
class Whereabouts:
    """What the trace says about one transaction, up to a moment."""

    correlation_id: str
    asked_at: float
    steps: tuple[Step, ...]
    outcome: str | None
    outcome_at: float | None
    scanned: int   # trace entries read to piece this together (all of them: nobody holds the answer)

    @property
    def components(self) -> list[str]:
        """Every component whose messages went into the answer."""
        return list(dict.fromkeys(s.sender for s in self.steps))

    def answer(self) -> str:
        """The answer in one line."""
        cid = self.correlation_id
        if not self.steps:
            return f"{cid}: no message carries this id — either it never existed or its events lost the id."
        sources = f"{len(self.steps)} messages from {len(self.components)} components"
        if self.outcome is not None:
            after = sum(1 for s in self.steps if s.time > self.outcome_at)
            tail = f", {after} of them after the outcome" if after else ""
            return f"{cid}: {self.outcome} at {self.outcome_at:.2f} s ({sources}{tail})"
        last = self.steps[-1]
        if last.waiting_at:
            where = f"waiting at {', '.join(last.waiting_at)}"
        elif last.handled_by:
            where = f"handled by {', '.join(last.handled_by)}, and nothing since"
        else:
            where = "nobody listens to it, and nothing since"
        return (f"{cid}: no outcome yet at {self.asked_at:g} s; last seen {last.type} from {last.sender} "
                f"at {last.time:.2f} s, {where} ({sources})")

    def __str__(self) -> str:
        lines = [self.answer(), f"{'time':>8}  {'from':<10} {'message':<18} handled by"]
        for s in self.steps:
            who = ", ".join(s.handled_by) or "-"
            if s.waiting_at:
                who += f" (waiting at {', '.join(s.waiting_at)})"
            lines.append(f"{s.time:>8.2f}  {s.sender:<10} {s.type:<18} {who}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def reconstruct(source: "Result | Trace", correlation_id: str, *, at: float | None = None,
                terminals: Mapping[str, str] | None = None) -> Whereabouts:
    """Piece one transaction together from the trace by its correlation id, as of simulated time ``at``.

    Args:
        at: the moment asked about (default: the end of the run).
        terminals: terminal event type → outcome; taken from the result when not given.
    """
    return reconstruct_all(source, [correlation_id], at=at, terminals=terminals)[correlation_id]


def reconstruct_all(source: "Result | Trace", correlation_ids: Iterable[str], *, at: float | None = None,
                    terminals: Mapping[str, str] | None = None) -> dict[str, Whereabouts]:
    """:func:`reconstruct` for many transactions at once: one reading of the trace, however many are asked about.

    Each answer is the one :func:`reconstruct` gives (every answer still counts the whole trace as scanned:
    each question, asked alone, would read all of it).

    >>> from playground.scenarios import order_flow
    >>> result = order_flow(orders=3, seed=1).run()
    >>> answers = reconstruct_all(result, result.outcomes)
    >>> answers["order-0002"] == reconstruct(result, "order-0002")
    True
    """
    trace = getattr(source, "trace", source)
    ends = dict(terminals if terminals is not None else getattr(source, "terminals", None) or {})
    entries: list["TraceEntry"] = trace.entries
    horizon = at if at is not None else (entries[-1].time if entries else 0.0)
    sends: dict[str, dict[str, "TraceEntry"]] = {cid: {} for cid in correlation_ids}
    handled: dict[str, dict[str, list[str]]] = {cid: {} for cid in sends}
    scanned = 0
    for e in entries if sends else ():
        if e.time > horizon:
            break
        scanned += 1
        mine = sends.get(e.correlation_id)  # type: ignore[arg-type]
        if mine is None:
            continue
        if e.kind == "send":
            mine[e.message_id] = e
        elif e.kind == "end" and e.message_id in mine:
            handled[e.correlation_id].setdefault(e.message_id, []).append(e.at)  # type: ignore[index]
    return {cid: _whereabouts(cid, horizon, mine, handled[cid], ends, scanned) for cid, mine in sends.items()}


def _whereabouts(cid: str, horizon: float, sends: Mapping[str, "TraceEntry"], handled: Mapping[str, list[str]],
                 ends: Mapping[str, str], scanned: int) -> Whereabouts:
    steps = []
    outcome = outcome_at = None
    for mid, e in sends.items():
        done = tuple(dict.fromkeys(handled.get(mid, ())))
        targets = (e.detail or {}).get("to", ())
        steps.append(Step(e.time, e.at, e.type, mid, done, tuple(t for t in targets if t not in done)))
        if e.type in ends and outcome is None:
            outcome, outcome_at = ends[e.type], e.time
    return Whereabouts(cid, horizon, tuple(steps), outcome, outcome_at, scanned)
