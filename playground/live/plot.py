"""The panel's picture: orders finished so far (top) and each inbox's backlog (bottom), over simulated time.

The same drawing serves the live view (curves sampled by a session's
:class:`~playground.live.tally.Tally`) and the replay (curves computed from a
finished run's trace with :func:`playground.analysis.metrics.backlog`), so the
two can be compared at a glance. Figures are built with
``matplotlib.figure.Figure`` rather than pyplot: a live panel redraws many
times, and pyplot would keep every figure and show each one under the cell.

>>> from playground.scenarios import order_flow
>>> fig = draw({"choreography": curves_from_result(order_flow(orders=20, seed=3).run())}, title="replay")
>>> [ax.get_ylabel() for ax in fig.axes]
['orders finished', 'messages waiting']
>>> png(fig)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from playground.analysis.metrics import backlog
from playground.viz.style import OKABE_ITO, colour_for, course_style
from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.live.tally import Tally
    from playground.runtime.result import Result

Steps = tuple[list[float], list[float]]

#: Line style per wiring, so two wirings side by side stay apart even in grey.
DASHES = {"choreography": "-", "orchestration": "--"}


class Curves(NamedTuple):
    """What one wiring's picture needs: cumulative completions and compensations, backlog per inbox."""

    completed: Steps
    cancelled: Steps
    backlog: dict[str, Steps]


def curves_from_tally(tally: "Tally", window: float | None = None) -> Curves:
    """Curves from a live session's samples, keeping only the last ``window`` simulated seconds."""
    h = tally.history
    times = h["time"]
    first = 0
    if window is not None and times:
        cut = times[-1] - window
        while first < len(times) and times[first] < cut:
            first += 1
    t = times[first:]
    inboxes = {name[len("backlog:"):]: (t, h[name][first:]) for name in h if name.startswith("backlog:")}
    return Curves((t, h["completed"][first:]), (t, h["cancelled"][first:]), inboxes)


def curves_from_result(result: "Result") -> Curves:
    """Curves from a finished run's trace."""
    terminals = result.terminals
    done: list[float] = []
    undone: list[float] = []
    seen: set[str] = set()
    wanted = set(result.outcomes)
    for e in result.trace.entries:
        if e.kind == "send" and e.type in terminals and e.correlation_id in wanted and e.correlation_id not in seen:
            seen.add(e.correlation_id)
            (done if terminals[e.type] == "completed" else undone).append(e.time)

    def cumulative(times: list[float]) -> Steps:
        return [0.0, *times], list(range(len(times) + 1))

    queues = {name: peaks(s.times, s.values) for name, s in backlog(result).items() if name != DEAD_LETTERS}
    return Curves(cumulative(done), cumulative(undone), queues)


def peaks(times: list[float], values: list[float], bins: int = 240) -> Steps:
    """A step series thinned to at most ``bins`` steps, each the highest level reached within it.

    Thousands of one-message blips cost a long time to draw and show nothing a
    learner can see; the peak of each slice keeps every pile-up visible.

    >>> peaks([0.0, 1.0, 1.5, 2.0, 9.0], [0, 3, 1, 0, 2], bins=2)
    ([0.0, 4.5, 9.0], [3, 2, 2])
    """
    if len(times) <= bins or not times:
        return list(times), list(values)
    start, end = times[0], times[-1]
    width = (end - start) / bins or 1.0
    out_t: list[float] = []
    out_v: list[float] = []
    level = values[0]
    i = 0
    for b in range(bins):
        edge = start + (b + 1) * width
        top = level
        while i < len(times) and (times[i] < edge or b == bins - 1):
            level = values[i]
            top = max(top, level)
            i += 1
        out_t.append(start + b * width)
        out_v.append(top)
    out_t.append(end)
    out_v.append(level)
    return out_t, out_v


def draw(curves: Mapping[str, Curves], *, title: str, size: tuple[float, float] = (8.0, 4.6),
         dpi: int = 80) -> Figure:
    """One figure for one or two wirings: finished orders on top, backlog per inbox below."""
    with course_style():
        fig = Figure(figsize=size, dpi=dpi)
        top, bottom = fig.subplots(2, 1, sharex=True)
        # Fixed margins: a constrained layout lays the figure out twice and triples the cost of a redraw.
        fig.subplots_adjust(left=0.1, right=0.98, top=0.93, bottom=0.11, hspace=0.3)
        named: set[str] = set()  # each inbox appears once in the legend, in its colour
        for wiring, c in curves.items():
            dash = DASHES.get(wiring, "-")
            label = f" ({wiring})" if len(curves) > 1 else ""
            # Black and vermillion on top, so no completion line shares a colour with a service's backlog.
            top.step(*c.completed, where="post", color=OKABE_ITO[7], linestyle=dash,
                     label=f"completed{label}", linewidth=1.8)
            top.step(*c.cancelled, where="post", color=OKABE_ITO[3], linestyle=dash,
                     label=f"cancelled{label}", linewidth=1.4)
            for inbox, steps in c.backlog.items():
                bottom.step(*steps, where="post", color=colour_for(inbox), linestyle=dash, linewidth=1.3,
                            label=None if inbox in named else inbox)
                named.add(inbox)
        for ax in (top, bottom):
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # orders and messages come whole
        top.set_ylabel("orders finished")
        top.set_ylim(bottom=0)
        for ax in (top, bottom):
            if ax.get_legend_handles_labels()[0]:  # an empty picture (nothing started yet) has no legend
                ax.legend(loc="upper left", fontsize=8, ncols=1 if ax is top else 3)
        top.set_title(title, fontsize=10)
        bottom.set_ylabel("messages waiting")
        bottom.set_xlabel("simulated time (s)")
        bottom.set_ylim(bottom=0)
        _never_degenerate(top, bottom)
        if len(curves) > 1:
            bottom.set_title("solid: choreography · dashed: orchestration", fontsize=8)
    return fig


#: The time axis a picture with no data yet (or one instant) shows, in simulated seconds.
EMPTY_SPAN = 60.0


def _never_degenerate(*axes: Any) -> None:
    """Axes a reader can read before anything happened: time from 0 (or the first instant) over a minute,
    counts from 0 to at least 1 — instead of matplotlib's −0.04…0.04 around a missing point."""
    for ax in axes:
        left, right = ax.get_xlim()
        if right - left < 1.0:
            start = max(0.0, left)
            ax.set_xlim(start, start + EMPTY_SPAN)
        if ax.get_ylim()[1] < 1.0:
            ax.set_ylim(0, 1)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for an ipywidgets Image)."""
    buffer = io.BytesIO()
    # Light compression: a live picture is replaced within a second, so encoding speed beats size.
    fig.savefig(buffer, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class LivePlot:
    """The live picture, redrawn in place: figure and lines are built once, then only their data change.

    Reusing the figure saves about 40% of a redraw. :meth:`render` may run in a
    worker thread (the panel renders there, so the kernel's loop is never held
    up for a whole redraw); a lock keeps two renders from sharing the figure.

    >>> plot = LivePlot()
    >>> empty = Curves(([], []), ([], []), {"email": ([], [])})
    >>> first = plot.render({"choreography": empty}, "live")
    >>> busy = Curves(([0.0, 2.0], [0, 3]), ([0.0], [0]), {"email": ([0.0, 1.0], [0, 4])})
    >>> plot.render({"choreography": busy}, "live") != first, bool(plot.figure.axes[1].get_ylim()[1] >= 4)
    (True, True)
    """

    def __init__(self, size: tuple[float, float] = (7.0, 4.0), dpi: int = 80):
        self.size, self.dpi = size, dpi
        self.figure: Figure | None = None
        self._shape: list | None = None
        self._lock = threading.Lock()

    def render(self, curves: Mapping[str, Curves], title: str) -> bytes:
        """PNG bytes of ``curves``; the figure is rebuilt only when the wirings or inboxes change."""
        shape = [(w, tuple(c.backlog)) for w, c in curves.items()]
        with self._lock:
            if shape != self._shape:
                self.figure, self._shape = draw(curves, title=title, size=self.size, dpi=self.dpi), shape
                return png(self.figure)
            top, bottom = self.figure.axes
            # The order draw() made them in: every wiring's two top lines, then every backlog line.
            series = [s for c in curves.values() for s in (c.completed, c.cancelled)]
            series += [s for c in curves.values() for s in c.backlog.values()]
            for line, (times, values) in zip([*top.get_lines(), *bottom.get_lines()], series):
                line.set_data(times, values)
            for ax in (top, bottom):
                ax.relim()
                ax.autoscale(True)  # set_ylim(bottom=0) switched autoscaling off last time
                ax.set_ylim(bottom=0)
            _never_degenerate(top, bottom)
            top.set_title(title, fontsize=10)
            return png(self.figure)
