"""Customs clearance time by arrival, per wiring, with every outage shaded: does a follower's outage reach customs?

Each dot is one shipment: when it reached port (x, in hours) and how long it
then waited for customs to decide (y, in hours). One panel per run, on one
time axis, so the same outage in three wirings reads top to bottom.

>>> from playground.scenarios.freight import freight
>>> from playground.runtime.faults import FaultPlan
>>> run = freight(shipments=6, seed=2, faults=FaultPlan(outages={"tracking": [(100_000, 150_000)]})).run()
>>> fig = plot_clearance({"hybrid": run})
>>> len(fig.axes[0].collections)
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from playground.analysis.boundary import arrivals, clearance_times
from playground.viz.outage import DOWN, _runs, outages
from playground.viz.style import WIDE, colour_for, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

HOUR = 3600.0


def plot_clearance(runs: "Mapping[str, Result]", *, title: str | None = None) -> Figure:
    """One panel per run: hours each shipment waited at port for customs, by the hour it arrived."""
    runs = _runs(runs)
    with course_style():
        fig, axes = plt.subplots(len(runs), 1, figsize=(WIDE[0], 1.9 * len(runs) + 0.8), sharex=True, sharey=True,
                                 layout="constrained", squeeze=False)
        highest = 0.0
        for i, (ax, (label, result)) in enumerate(zip(axes[:, 0], runs.items())):
            waited, came = clearance_times(result), arrivals(result)
            highest = max([highest, *(w / HOUR for w in waited.values())])
            shipments = sorted(waited, key=came.get)
            ax.scatter([came[s] / HOUR for s in shipments], [waited[s] / HOUR for s in shipments], s=18,
                       color=colour_for(label, i), zorder=3)
            for name, start, end in outages(result):
                ax.axvspan(start / HOUR, end / HOUR, color=DOWN, alpha=0.12, lw=0)
                ax.text(start / HOUR, 1.0, f" {name} down", transform=ax.get_xaxis_transform(), va="top",
                        fontsize=8, color=DOWN)
            ax.set_title(label, loc="left", fontsize=10)
            ax.set_ylabel("hours at port")
        axes[0, 0].set_ylim(0, highest * 1.1 or 1.0)  # shared: one scale, so a slow wiring stands out
        axes[-1, 0].set_xlabel("hour the shipment reached port")
        if title:
            fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    return fig
