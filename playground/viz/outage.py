"""Pictures of an outage: work per service over time, a backlog and latency while a component was down.

Each function takes several runs by label (``{"orchestrator down": r1,
"warehouse down": r2}``) so the same outage in two wirings can be compared
panel by panel, on one time axis, with every down window shaded.

>>> from playground.scenarios import order_flow
>>> from playground.runtime.faults import FaultPlan
>>> run = order_flow(orders=30, seed=1, faults=FaultPlan(outages={"email": [(5, 15)]})).run()
>>> fig = plot_work_rates({"email down": run}, ["orders", "email"])
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['orders', 'email']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from playground.analysis.metrics import backlog, down_windows
from playground.analysis.windows import latency_by_start, work_rate
from playground.errors import PlaygroundError
from playground.viz.style import OKABE_ITO, WIDE, colour_for, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Shading for "component down" windows (Okabe-Ito vermillion, faint), as in the backlog plot.
DOWN = "#D55E00"
#: Line styles handed out in order, so services with equal rates stay visible on top of each other.
DASHES = ["-", "--", ":", "-."]
MARKERS = ["o", "^", "s", "D"]


def outages(result: "Result") -> list[tuple[str, float, float]]:
    """Every (component, start, end) window in which something was down in this run, in trace order."""
    names = list(dict.fromkeys(e.at for e in result.trace.entries
                               if e.kind == "fault" and isinstance(e.detail, dict) and e.detail.get("phase") == "down"))
    return [(name, start, end) for name in names for start, end in down_windows(result, name)]


def _shade(ax, result: "Result") -> bool:
    shaded = False
    for name, start, end in outages(result):
        ax.axvspan(start, end, color=DOWN, alpha=0.12, lw=0)
        ax.text(start, 1.0, f" {name} down", transform=ax.get_xaxis_transform(), va="top", fontsize=8, color=DOWN)
        shaded = True
    return shaded


def _colours(labels: list[str]) -> dict[str, str]:
    """A wiring's fixed colour for a run named after it; for any other run, the next palette colour not taken."""
    named = {label: colour_for(label) for label in labels if label in ("choreography", "orchestration")}
    taken, colours = set(named.values()), {}
    for i, label in enumerate(labels):
        if label in named:
            colours[label] = named[label]
            continue
        colour = next(OKABE_ITO[(i + k) % len(OKABE_ITO)] for k in range(len(OKABE_ITO))
                      if OKABE_ITO[(i + k) % len(OKABE_ITO)] not in taken)
        taken.add(colour)
        colours[label] = colour
    return colours


def _runs(runs: "Mapping[str, Result]") -> dict[str, "Result"]:
    runs = dict(runs)
    if not runs:
        raise PlaygroundError("Give at least one run, as {label: result}.")
    return runs


def plot_work_rates(runs: "Mapping[str, Result]", components: Iterable[str], *, window: float = 10.0,
                    title: str | None = None) -> Figure:
    """One panel per run: messages each component finished per simulated second, down windows shaded."""
    runs, names = _runs(runs), list(components)
    with course_style():
        fig, axes = plt.subplots(len(runs), 1, figsize=(WIDE[0], 2.6 * len(runs) + 0.6), sharex=True,
                                 sharey=True, layout="constrained", squeeze=False)
        for ax, (label, result) in zip(axes[:, 0], runs.items()):
            for i, (name, s) in enumerate(work_rate(result, names, window).items()):
                ax.step(s.times, s.values, where="post", color=colour_for(name, i), label=name, lw=1.6,
                        ls=DASHES[i % len(DASHES)])
            shaded = _shade(ax, result)
            ax.set_title(label, loc="left", fontsize=10)
            ax.set_ylabel("handled per s")
            ax.set_ylim(bottom=0)
            handles, _ = ax.get_legend_handles_labels()
            if shaded:
                handles.append(Patch(color=DOWN, alpha=0.12, label="component down"))
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes[-1, 0].set_xlabel(f"simulated time (s), {window:g}-second windows")
        axes[-1, 0].set_xlim(left=0)
        fig.suptitle(title or "Work done per service over time")
    return fig


def plot_outage(runs: "Mapping[str, Result]", inbox: str, *, title: str | None = None) -> Figure:
    """Two panels: messages waiting in ``inbox`` over time, and end-to-end latency by start time, per run."""
    runs = _runs(runs)
    with course_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDE[0], 6.0), sharex=True, layout="constrained")
        first = next(iter(runs.values()))
        colours = _colours(list(runs))
        for i, (label, result) in enumerate(runs.items()):
            colour = colours[label]
            s = backlog(result, [inbox])[inbox]
            # Equal backlogs are common (the same messages wait either way): dashes keep both visible.
            top.step(s.times, s.values, where="post", color=colour, lw=2.4 if i == 0 else 1.6,
                     ls=DASHES[i % len(DASHES)], label=label)
            starts, took = latency_by_start(result)
            bottom.scatter(starts, took, s=12 if i == 0 else 9, color=colour, label=label, alpha=0.8,
                           marker=MARKERS[i % len(MARKERS)], zorder=3 - i)
        shaded = _shade(top, first)
        _shade(bottom, first)
        top.set_ylabel(f"waiting in {inbox}'s inbox")
        top.set_ylim(bottom=0)
        top.set_title(f"Backlog of {inbox}", loc="left", fontsize=10)
        handles, _ = top.get_legend_handles_labels()
        if shaded:
            handles.append(Patch(color=DOWN, alpha=0.12, label="component down"))
        top.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        bottom.set_ylabel("end-to-end latency (s)")
        bottom.set_xlabel("simulated time the transaction started (s)")
        bottom.set_ylim(bottom=0)
        bottom.set_xlim(left=0)
        bottom.set_title("How long each transaction took, by when it started", loc="left", fontsize=10)
        bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.suptitle(title or f"While {', '.join(n for n, _, _ in outages(first)) or 'nothing'} was down")
    return fig
