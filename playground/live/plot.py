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

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.text import Text
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
    for time, kind, _, type_, _, cid, _, _ in result.trace.raw():  # raw rows: no entry objects to build
        if kind == "send" and type_ in terminals and cid in wanted and cid not in seen:
            seen.add(cid)
            (done if terminals[type_] == "completed" else undone).append(time)

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
        # y=1.0 is where matplotlib would put it (nothing stands above these axes); said outright,
        # a redraw skips measuring every tick label to find that out.
        top.set_title(title, fontsize=10, y=1.0)
        bottom.set_ylabel("messages waiting")
        bottom.set_xlabel("simulated time (s)")
        bottom.set_ylim(bottom=0)
        _never_degenerate(top, bottom)
        if len(curves) > 1:
            bottom.set_title("solid: choreography · dashed: orchestration", fontsize=8, y=1.0)
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

    A frame is painted in layers. Beneath the lines: the backgrounds, grid,
    ticks, tick labels, axis labels and titles (lines never reach outside their
    axes, where the titles are), drawn again only when an axis' limits or a
    title change. Above the lines: the spines and legends, which matplotlib
    paints over the lines too, drawn once per figure and laid over each frame.
    Each frame draws just the lines between them. A replay whose axes and
    title did not change costs the lines and the PNG encoding, and no text
    layout at all. The layers keep the order a full draw paints in, so the
    picture is :func:`draw`'s (pixels differ by at most one step of 255, from
    rounding where a legend's text lies over a line).

    :meth:`render` may run in a worker thread (the panel renders there, so the
    kernel's loop is never held up for a whole redraw); a lock keeps two renders
    from sharing the figure.

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
        self._layers: _Layers | None = None

    def render(self, curves: Mapping[str, Curves], title: str) -> bytes:
        """PNG bytes of ``curves``; the figure is rebuilt only when the wirings or inboxes change."""
        shape = [(w, tuple(c.backlog)) for w, c in curves.items()]
        with self._lock:
            if shape != self._shape:
                self.figure, self._shape = draw(curves, title=title, size=self.size, dpi=self.dpi), shape
                self._layers = _Layers(self.figure)
                return self._layers.png()
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
            if top.get_title() != title:
                top.set_title(title, fontsize=10, y=1.0)
            return self._layers.png()


class _Layers:
    """A figure painted as cached layers around its lines (see :class:`LivePlot`).

    Only public matplotlib API: animated artists (which a canvas draw leaves
    out), the Agg canvas' region copy and restore, ``Axes.draw_artist`` and
    the renderer's RGBA buffer.
    """

    def __init__(self, figure: Figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.lines = [line for ax in figure.axes for line in ax.get_lines()]
        floor = min((line.get_zorder() for line in self.lines), default=2)
        # What a full draw paints over the lines: every child of an axes above the lowest line that can
        # overlap a line, i.e. all but the texts (titles stand outside the axes, where no line reaches).
        self.cover = [a for ax in figure.axes for a in ax.get_children()
                      if a.get_zorder() > floor and a not in self.lines and a is not ax.patch
                      and not isinstance(a, Text)]
        for artist in self.lines + self.cover:
            # Matplotlib's own blitting mark: a canvas draw leaves these out, a savefig keeps them.
            artist.set_animated(True)
        self._under: tuple[Any, Any] | None = None      # (limits, positions and titles of the axes, pixels)
        self._over: tuple[Any, Any, Any] | None = None  # (pixels covered, their colours, their opacity)

    def png(self) -> bytes:
        canvas, figure = self.canvas, self.figure
        key = [(ax.get_xlim(), ax.get_ylim(), ax.get_position().bounds,
                [t.get_text() for t in ax.get_children() if isinstance(t, Text)]) for ax in figure.axes]
        if self._under is None or self._under[0] != key:
            self._under = (key, self._paint_under())
        if self._over is None:
            self._over = self._paint_over()
        canvas.restore_region(self._under[1])
        for line in self.lines:
            if line.get_visible():
                line.axes.draw_artist(line)
        frame = np.array(canvas.buffer_rgba())  # a copy: the renderer's own buffer is left alone
        where, colours, opacity = self._over
        flat = frame.reshape(-1, 4)
        below = flat[where, :3].astype(np.uint32)
        flat[where, :3] = ((colours * opacity + below * (255 - opacity) + 127) // 255).astype(np.uint8)
        buffer = io.BytesIO()
        # As Figure.savefig writes a PNG (same metadata), with the light compression png() uses.
        imsave(buffer, frame, format="png", origin="upper", dpi=figure.dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def _paint_under(self) -> Any:
        """Draw everything but the lines and the cover (animated); keep the whole figure's pixels."""
        self.canvas.draw()
        return self.canvas.copy_from_bbox(self.figure.bbox)

    def _paint_over(self) -> tuple[Any, Any, Any]:
        """Draw only the cover on a transparent canvas; keep the pixels it covers, their colours and opacity."""
        renderer = self.canvas.get_renderer()
        renderer.clear()  # transparent white
        for artist in self.cover:
            if artist.get_visible():
                artist.draw(renderer)
        layer = np.asarray(renderer.buffer_rgba()).reshape(-1, 4)
        where = np.flatnonzero(layer[:, 3])
        return where, layer[where, :3].astype(np.uint32), layer[where, 3:4].astype(np.uint32)
