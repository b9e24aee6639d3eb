"""Metrics computed from a run's trace: latency, throughput, backlog, availability, message counts.

Everything here reads ``result.trace`` (and ``result.outcomes`` /
``result.terminals`` to know which transactions exist and what ends them),
so the same numbers can be compared across both wirings.

>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=20, seed=7).run()
>>> sorted(latency_percentiles(result, (50, 99)))
[50, 99]
>>> messages_per_transaction(result)["order-0001"]
8
"""

from __future__ import annotations

import math
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


class Series(NamedTuple):
    """A step function over simulated time: ``values[i]`` holds from ``times[i]`` on."""

    times: list[float]
    values: list[float]

    def at(self, t: float) -> float:
        """The value at simulated time ``t`` (0 before the first step)."""
        value = 0.0
        for when, v in zip(self.times, self.values):
            if when > t:
                break
            value = v
        return value


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile with linear interpolation between closest ranks.

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    """
    if not values:
        raise PlaygroundError("There are no values to take a percentile of; did any transaction finish?")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _terminals(result: "Result") -> dict[str, str]:
    terminals = dict(getattr(result, "terminals", None) or {})
    if not terminals:
        raise PlaygroundError("This result does not say which events end a transaction; run it through a scenario.")
    return terminals


def end_to_end(result: "Result") -> dict[str, float]:
    """Seconds from each transaction's first message to its first terminal event (finished ones only)."""
    terminals = _terminals(result)
    wanted = set(result.outcomes)
    first: dict[str, float] = {}
    done: dict[str, float] = {}
    for e in result.trace.entries:
        cid = e.correlation_id
        if e.kind != "send" or cid not in wanted:
            continue
        first.setdefault(cid, e.time)
        if e.type in terminals and cid not in done:
            done[cid] = e.time - first[cid]
    return done


def latency_percentiles(result: "Result", ps: Iterable[float] = (50, 90, 95, 99)) -> dict[float, float]:
    """End-to-end latency percentiles in simulated seconds, e.g. ``{50: 1.2, 99: 3.4}``."""
    values = list(end_to_end(result).values())
    return {p: percentile(values, p) for p in ps}


def throughput(result: "Result", window: float = 10.0) -> Series:
    """Transactions finished per simulated second, in consecutive windows of ``window`` seconds."""
    if not window > 0:
        raise PlaygroundError(f"window must be a number of seconds greater than 0, not {window!r}.")
    terminals = _terminals(result)
    ends = [e.time for e in result.trace.entries if e.kind == "send" and e.type in terminals]
    buckets = Counter(int(t // window) for t in ends)
    last = max(buckets, default=-1)
    return Series([i * window for i in range(last + 1)], [buckets[i] / window for i in range(last + 1)])


def _arrivals(result: "Result") -> dict[str, list[tuple[float, int]]]:
    """(time, -n) for n messages arriving and (time, 1) for one taken out, per inbox, faults taken into account.

    The sign is turned around so that plain sorting puts arrivals before
    removals at the same instant; each inbox's list is in no particular order
    (:func:`backlog` sorts it). Kept per trace while its length stays the same (a trace only grows), since
    a chapter often asks for the backlog of one run several times: a table, a picture, when it drained.
    """
    trace = result.trace
    known = _ARRIVALS.get(trace)
    if known is not None and known[0] == len(trace):
        return known[1]
    changes: dict[str, list[tuple[float, int]]] = defaultdict(list)
    faults: dict[tuple[str, str], list] = defaultdict(list)
    sends = []
    # One pass over the trace's raw rows (time, kind, at, type, message id, correlation id, causation id,
    # detail); the sends are settled after it, once every fault on them is known.
    for row in trace.raw():
        kind = row[1]
        if kind == "send":
            if row[7]:
                sends.append(row)
        elif kind == "deliver":
            changes[row[2]].append((row[0], 1))
        elif kind == "redeliver":
            changes[row[2]].append((row[0] + row[7]["after"], -1))
        elif kind == "fault" and row[4] is not None and isinstance(row[7], dict) and "inbox" in row[7]:
            faults[(row[4], row[7]["inbox"])].append(row[7])
    for time, _, _, _, message_id, _, _, detail in sends:
        for inbox in detail.get("to", ()):
            when, copies = time, 1
            for fault in faults.get((message_id, inbox), ()):
                if fault["fault"] == "drop":
                    copies = 0
                elif fault["fault"] == "duplicate":
                    copies += fault["copies"]
                elif fault["fault"] == "delay":
                    when += fault["seconds"]
            if copies:
                changes[inbox].append((when, -copies))
    _ARRIVALS[trace] = (len(trace), changes)
    return changes


#: trace → (its length, its arrivals), for as long as the trace lives.
_ARRIVALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def backlog(result: "Result", inboxes: Iterable[str] | None = None) -> dict[str, Series]:
    """Messages waiting in each consumer's inbox over time: arrived there minus taken out.

    A message a stopped consumer is sitting on counts as waiting: it is taken
    out only when the consumer really starts on it (the trace's ``deliver``).
    """
    changes = _arrivals(result)
    names = list(inboxes) if inboxes is not None else sorted(changes)
    out = {}
    for name in names:
        level, times, values = 0, [0.0], [0.0]
        # Arrivals (negative) before removals at the same instant, so the level never dips below zero.
        for when, step in sorted(changes.get(name, ())):
            level -= step
            if times[-1] == when:
                values[-1] = level
            else:
                times.append(when)
                values.append(level)
        out[name] = Series(times, values)
    return out


@dataclass(frozen=True)
class Availability:
    """How the rest of the system fared while one component was down."""

    component: str
    start: float
    end: float
    started: int        # transactions that began during the window
    finished: int       # of those, how many reached a terminal state before the window closed
    handled: int        # messages any other component handled during the window

    @property
    def ratio(self) -> float | None:
        """Share of the transactions begun while it was down that still finished in time (None if none began)."""
        return self.finished / self.started if self.started else None


def down_windows(result: "Result", component: str) -> list[tuple[float, float]]:
    """When ``component`` was down (outage or crash), from the fault entries of the trace."""
    windows, opened = [], None
    for e in result.trace.entries:
        if e.kind == "fault" and e.at == component and isinstance(e.detail, dict) and "phase" in e.detail:
            if e.detail["phase"] == "down":
                opened = (e.time, e.detail["until"])
            elif e.detail["phase"] == "up" and opened is not None:
                windows.append((opened[0], e.time))
                opened = None
    if opened is not None:  # the run ended before it came back
        windows.append((opened[0], min(opened[1], result.finished_at)))
    return windows


def availability(result: "Result", component: str) -> list[Availability]:
    """For each window in which ``component`` was down: what began, what still finished, what got done."""
    terminals = _terminals(result)
    wanted = set(result.outcomes)
    first: dict[str, float] = {}
    done: dict[str, float] = {}
    ends = []
    for e in result.trace.entries:
        if e.kind == "send" and e.correlation_id in wanted:
            first.setdefault(e.correlation_id, e.time)
            if e.type in terminals:
                done.setdefault(e.correlation_id, e.time)
        elif e.kind == "end" and e.at != component:
            ends.append(e.time)
    rows = []
    for start, end in down_windows(result, component):
        began = [c for c, t in first.items() if start <= t < end]
        rows.append(Availability(component, start, end, len(began),
                                 sum(1 for c in began if c in done and done[c] < end),
                                 sum(1 for t in ends if start <= t < end)))
    return rows


def messages_per_transaction(result: "Result") -> dict[str, int]:
    """How many messages each business transaction put on the bus (its ``send`` entries)."""
    counts = {cid: 0 for cid in result.outcomes}
    for e in result.trace.entries:
        if e.kind == "send" and e.correlation_id in counts:
            counts[e.correlation_id] += 1
    return counts


def fan_out(result: "Result") -> dict[str, float]:
    """Per message type: how many inboxes one message of it reached on average."""
    reached: dict[str, list[int]] = defaultdict(list)
    for e in result.trace.entries:
        if e.kind == "send":
            reached[e.type].append(len((e.detail or {}).get("to", ())))
    return {t: sum(v) / len(v) for t, v in sorted(reached.items())}
