"""Measures over stretches of simulated time: what got done while a component was down, and after.

Outage experiments ask questions of a time window: how many messages did
each service handle in it, how many transactions finished in it, how long
did a transaction take depending on when it started, when had a backlog
drained. All of it is read from the trace, like every other metric.

>>> from playground.scenarios import order_flow
>>> from playground.runtime.faults import FaultPlan
>>> result = order_flow(orders=40, seed=2, faults=FaultPlan(outages={"email": [(10, 20)]})).run()
>>> handled(result, "email", 10, 20), handled(result, "orders", 10, 20) > 0
(0, True)
>>> drained_at(result, "email", after=20) >= 20
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from playground.analysis.metrics import Series, backlog, end_to_end
from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def _window(start: float | None, end: float | None) -> tuple[float, float]:
    low = float("-inf") if start is None else start
    high = float("inf") if end is None else end
    if not low < high:
        raise PlaygroundError(f"A time window needs start < end, not ({start!r}, {end!r}).")
    return low, high


def handled(result: "Result", component: str, start: float | None = None, end: float | None = None) -> int:
    """Messages ``component`` finished handling in ``[start, end)`` simulated seconds (its ``end`` entries)."""
    low, high = _window(start, end)
    return sum(1 for e in result.trace.entries if e.kind == "end" and e.at == component and low <= e.time < high)


def work_rate(result: "Result", components: Iterable[str], window: float = 10.0) -> dict[str, Series]:
    """Messages each component finished per simulated second, in consecutive windows of ``window`` seconds.

    Every series covers the whole run, so series of different components line up.
    """
    if not window > 0:
        raise PlaygroundError(f"window must be a number of seconds greater than 0, not {window!r}.")
    names = list(components)
    counts: dict[str, dict[int, int]] = {name: {} for name in names}
    for e in result.trace.entries:
        if e.kind == "end" and e.at in counts:
            slot = int(e.time // window)
            counts[e.at][slot] = counts[e.at].get(slot, 0) + 1
    slots = int(result.finished_at // window) + 1
    return {name: Series([i * window for i in range(slots)], [counts[name].get(i, 0) / window for i in range(slots)])
            for name in names}


def ended_at(result: "Result") -> dict[str, float]:
    """When each transaction reached its first terminal event (finished ones only)."""
    terminals = result.terminals
    wanted = set(result.outcomes)
    done: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind == "send" and e.type in terminals and e.correlation_id in wanted:
            done.setdefault(e.correlation_id, e.time)
    return done


def finished_between(result: "Result", start: float, end: float, outcome: str | None = None) -> int:
    """Transactions whose outcome was reached in ``[start, end)`` (only those ending as ``outcome``, if given)."""
    low, high = _window(start, end)
    return sum(1 for cid, t in ended_at(result).items()
               if low <= t < high and (outcome is None or result.outcomes[cid] == outcome))


def latency_by_start(result: "Result") -> tuple[list[float], list[float]]:
    """(start times, end-to-end latencies) of finished transactions, in order of start.

    Plotting latency against the moment a transaction began shows which
    transactions an outage held up, and for how long.
    """
    took = end_to_end(result)
    first: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind == "send" and e.correlation_id in took:
            first.setdefault(e.correlation_id, e.time)
    pairs = sorted((first[cid], took[cid]) for cid in took)
    return [p[0] for p in pairs], [p[1] for p in pairs]


def peak(series: Series, start: float | None = None, end: float | None = None) -> float:
    """The highest value a step series takes in ``[start, end)`` (0 when it never steps there)."""
    low, high = _window(start, end)
    best = series.at(low) if low != float("-inf") else 0.0
    for t, v in zip(series.times, series.values):
        if low <= t < high:
            best = max(best, v)
    return best


def drained_at(result: "Result", inbox: str, *, after: float = 0.0) -> float | None:
    """The first moment at or after ``after`` when ``inbox`` held no waiting message (None: never)."""
    series = backlog(result, [inbox])[inbox]
    if series.at(after) == 0:
        return after
    for t, v in zip(series.times, series.values):
        if t >= after and v == 0:
            return t
    return None
