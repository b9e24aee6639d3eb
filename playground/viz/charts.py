"""Charts of a run's metrics: backlog over time and the end-to-end latency histogram.

>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=20, seed=3).run()
>>> fig = plot_latency(result)
>>> fig.axes[0].get_xlabel()
'end-to-end latency (simulated s)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from playground.analysis.metrics import backlog, down_windows, end_to_end, percentile
from playground.errors import PlaygroundError
from playground.viz.style import OKABE_ITO, WIDE, colour_for, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Shading for "component down" windows (Okabe-Ito vermillion, faint).
DOWN = "#D55E00"


def plot_backlog(result: "Result", inboxes: Iterable[str] | None = None, *, title: str | None = None) -> Figure:
    """Messages waiting in each inbox over simulated time, with the windows in which a component was down."""
    series = backlog(result, inboxes)
    if not series:
        raise PlaygroundError("This run delivered no messages, so there is no backlog to plot.")
    with course_style():
        fig, ax = plt.subplots(figsize=WIDE)
        for name, s in series.items():
            ax.step(s.times, s.values, where="post", color=colour_for(name), label=name, lw=1.6)
        downs = [(name, w) for name in series for w in down_windows(result, name)]
        for name, (start, end) in downs:
            ax.axvspan(start, end, color=DOWN, alpha=0.12, lw=0)
            ax.text(start, 1.0, f" {name} down", transform=ax.get_xaxis_transform(), va="top", fontsize=8, color=DOWN)
        handles, _ = ax.get_legend_handles_labels()
        if downs:
            handles.append(Patch(color=DOWN, alpha=0.12, label="component down"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel("messages waiting in the inbox")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title(title or f"Backlog per consumer — {result.scenario}, {result.wiring}, seed {result.seed}")
        fig.tight_layout()
    return fig


def plot_latency(results: "Result | Mapping[str, Result]", *, bins: int = 30, title: str | None = None) -> Figure:
    """Histogram of end-to-end latencies, one outline per run, with each run's median and 99th percentile."""
    runs = dict(results) if isinstance(results, Mapping) else {results.wiring: results}
    values = {label: list(end_to_end(r).values()) for label, r in runs.items()}
    if not any(values.values()):
        raise PlaygroundError("No transaction finished in these runs, so there is no latency to plot.")
    everything = [v for vs in values.values() for v in vs]
    low, high = min(everything), max(everything)
    edges = [low + (high - low or 1.0) * i / bins for i in range(bins + 1)]
    with course_style():
        fig, ax = plt.subplots(figsize=WIDE)
        for i, (label, vs) in enumerate(values.items()):
            if not vs:
                continue
            colour = colour_for(label) if label in ("choreography", "orchestration") else OKABE_ITO[i % len(OKABE_ITO)]
            ax.hist(vs, bins=edges, histtype="step", lw=1.8, color=colour, label=f"{label} ({len(vs):,} transactions)")
            for p, style in ((50, "-"), (99, ":")):
                x = percentile(vs, p)
                ax.axvline(x, color=colour, ls=style, lw=1.2, label=f"{label} p{p} = {x:.2f} s")
        ax.set_xlabel("end-to-end latency (simulated s)")
        ax.set_ylabel("transactions")
        ax.legend(loc="upper right")
        ax.set_title(title or "How long a transaction takes, from its first message to its outcome")
        fig.tight_layout()
    return fig
