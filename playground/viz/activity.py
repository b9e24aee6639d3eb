"""Activity over time: how many transactions had started and ended by each simulated moment.

The top panel counts messages of a few types cumulatively ("by time t, this
many orders had been placed / completed / cancelled"); the bottom panel shows
their difference — the transactions in flight — which is where queues and
outages become visible.

>>> from playground.scenarios import order_flow
>>> fig = plot_activity(order_flow(orders=10, seed=1).run())
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['OrderPlaced', 'OrderCompleted', 'OrderCancelled']
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from playground.errors import PlaygroundError
from playground.runtime.trace import Trace
from playground.viz.style import OKABE_ITO, course_style


def send_times(trace: Trace, type_: str) -> list[float]:
    """Simulated times at which messages of ``type_`` were sent, in order."""
    return [e.time for e in trace.entries if e.kind == "send" and e.type == type_]


def in_flight(starts: Sequence[float], ends: Sequence[float]) -> tuple[list[float], list[int]]:
    """Step-function points of "started minus ended" over time.

    >>> in_flight([1.0, 2.0], [3.0])
    ([0.0, 1.0, 2.0, 3.0], [0, 1, 2, 1])
    """
    changes = sorted([(t, 1) for t in starts] + [(t, -1) for t in ends])
    xs, ys, level = [0.0], [0], 0
    for t, step in changes:
        level += step
        xs.append(t)
        ys.append(level)
    return xs, ys


def plot_activity(result, *, start: str | None = None, ends: Sequence[str] | None = None,
                  title: str | None = None) -> Figure:
    """Cumulative starts and ends of a scenario's transactions, and how many were in flight.

    Args:
        result: a scenario :class:`~playground.runtime.result.Result`.
        start: the message type that opens a transaction (default: the first one the
            scenario's terminals imply — ``OrderPlaced`` for the order flow).
        ends: message types that close one (default: the scenario's terminal events).
    """
    trace = result.trace
    ends = list(ends) if ends is not None else list(result.terminals)
    start = start or result.start
    if start is None:
        raise PlaygroundError("This result does not say which message opens a transaction; pass start= (and ends=).")
    series = {t: send_times(trace, t) for t in [start, *ends]}
    finished = sorted(t for name in ends for t in series[name])
    with course_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True, layout="constrained",
                                          height_ratios=[3, 2])
        for i, (name, ts) in enumerate(series.items()):
            top.step([0.0, *ts], range(len(ts) + 1), where="post", label=name,
                     color=OKABE_ITO[i % len(OKABE_ITO)], linewidth=1.8)
        top.set_ylabel("messages so far")
        top.set_ylim(bottom=0)
        top.legend(loc="upper left")
        top.set_title(title or f"{result.scenario} ({result.wiring}, seed {result.seed}): activity over time")
        xs, ys = in_flight(series[start], finished)
        bottom.step(xs, ys, where="post", color=OKABE_ITO[7], linewidth=1.4, label="in flight")
        bottom.fill_between(xs, ys, step="post", color=OKABE_ITO[5], alpha=0.4)
        bottom.set_ylabel("in flight")
        bottom.set_xlabel("simulated time (s)")
        bottom.set_xlim(left=0)
        bottom.set_ylim(bottom=0)
    return fig

