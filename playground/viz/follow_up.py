"""Does every event get its follow-up? Cumulative counts of a cause and its follow-up, and the gap between them.

A choreography promises that every ``OrderCompleted`` is eventually followed
by a ``ConfirmationSent`` (or a ``PushSent``…), but no component keeps that
promise in view. This picture does, from the trace: the top panel counts
both messages over time, the bottom panel the ones still owed.

>>> from playground.scenarios import order_flow
>>> fig = plot_follow_up(order_flow(orders=10, seed=1).run(), "OrderCompleted", "ConfirmationSent")
>>> fig.axes[1].get_ylabel()
'OrderCompleted without ConfirmationSent'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from playground.errors import PlaygroundError
from playground.viz.activity import in_flight, send_times
from playground.viz.outage import DOWN, outages
from playground.viz.style import OKABE_ITO, WIDE, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def plot_follow_up(result: "Result", cause: str, follow_up: str, *, mark: float | None = None,
                   mark_label: str = "", title: str | None = None) -> Figure:
    """Cumulative ``cause`` and ``follow_up`` messages, and how many causes still lacked their follow-up.

    Args:
        mark: a simulated time to draw a vertical line at (e.g. when a consumer joined).
        mark_label: what the line means.
    """
    causes, answers = send_times(result.trace, cause), send_times(result.trace, follow_up)
    if not causes:
        raise PlaygroundError(f"No {cause} was sent in this run, so there is nothing to follow up.")
    with course_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDE[0], 5.5), sharex=True, layout="constrained",
                                          height_ratios=[3, 2])
        for colour, name, times in ((OKABE_ITO[0], cause, causes), (OKABE_ITO[1], follow_up, answers)):
            top.step([0.0, *times], range(len(times) + 1), where="post", color=colour, lw=1.8, label=name)
        xs, ys = in_flight(causes, answers)
        bottom.step(xs, ys, where="post", color=OKABE_ITO[7], lw=1.4)
        bottom.fill_between(xs, ys, step="post", color=OKABE_ITO[5], alpha=0.4)
        for ax in (top, bottom):
            for _, start, end in outages(result):
                ax.axvspan(start, end, color=DOWN, alpha=0.12, lw=0)
            if mark is not None:
                ax.axvline(mark, color=OKABE_ITO[3], ls="--", lw=1.2)
        if mark is not None:
            top.plot([], [], color=OKABE_ITO[3], ls="--", label=mark_label or f"{mark:g} s")
        if outages(result):
            top.fill_between([], [], color=DOWN, alpha=0.12, label=", ".join(f"{n} down" for n, _, _ in outages(result)))
        top.set_ylabel("messages so far")
        top.set_ylim(bottom=0)
        top.legend(loc="upper left")
        top.set_title(title or f"Every {cause} should be followed by a {follow_up}")
        if ys[-1] > 0:  # a gap of one is invisible next to a backlog of a hundred: say it
            below = ys[-1] > max(ys) / 2  # keep the label inside its own panel
            bottom.annotate(f"{ys[-1]} still owed at the end", xy=(xs[-1], ys[-1]), xytext=(-10, -30 if below else 25),
                            textcoords="offset points", ha="right", color=OKABE_ITO[3],
                            arrowprops={"arrowstyle": "->", "color": OKABE_ITO[3]})
        bottom.set_ylabel(f"{cause} without {follow_up}")
        bottom.set_xlabel("simulated time (s)")
        bottom.set_xlim(left=0)
        bottom.set_ylim(bottom=0)
    return fig
