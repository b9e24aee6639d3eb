"""The article's comparison table, redrawn from measurements: one row per figure, one column per wiring.

Each cell shows its measured figure. A scored figure's better cell is green,
the worse one vermillion, a tie grey; figures kept for context stay white.
Rows are grouped by dimension, and each group ends with what the article
claims and what was measured.

>>> from playground.analysis.experiments import scorecard
>>> from playground.scenarios.evolving import evolving_orders
>>> card = scorecard(evolving_orders, seed=3, workload={"orders": 12}, dimensions=("control & visibility",))
>>> fig = plot_scorecard(card)
>>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
['orchestration', 'choreography']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure as MplFigure

from playground.viz.style import OKABE_ITO, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.analysis.dimensions import Scorecard

BETTER, WORSE, LEVEL, CONTEXT = "#9fd8c4", "#f2b99a", "#d9d9d9", "#ffffff"


def _cell(value: float, unit: str) -> str:
    from playground.analysis.dimensions import _format

    return f"{_format(value)} {unit}".strip()


def plot_scorecard(card: Scorecard, *, title: str | None = None) -> MplFigure:
    """Draw ``card`` as a heatmap table with the article's claim beside each dimension."""
    from playground.analysis.dimensions import ARTICLE, WIRINGS

    figures = card.figures
    winners = card.winners()
    with course_style():
        fig, ax = plt.subplots(figsize=(10.5, 0.42 * len(figures) + 1.6))
        colours = []
        for f in figures:
            best = f.winner(card.tolerance)
            row = []
            for wiring in WIRINGS:
                if best is None:
                    row.append(to_rgb(CONTEXT))
                elif best == "tie":
                    row.append(to_rgb(LEVEL))
                else:
                    row.append(to_rgb(BETTER if best == wiring else WORSE))
            colours.append(row)
        ax.imshow(colours, aspect="auto")
        for i, f in enumerate(figures):
            for j, wiring in enumerate(WIRINGS):
                ax.text(j, i, _cell(f.values[wiring], f.unit), ha="center", va="center", fontsize=9)
        ax.set_xticks(range(len(WIRINGS)), WIRINGS)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(figures)), [f.name for f in figures], fontsize=8.5)
        ax.set_xlabel("wiring (green: better on this figure, vermillion: worse, grey: level, white: context only)",
                      fontsize=8.5)
        ax.set_ylabel("measured figure, grouped by dimension")
        ax.grid(False)
        # Group separators and, to the right, each dimension's verdict against the article.
        start = 0
        for dimension in card.dimensions():
            rows = [i for i, f in enumerate(figures) if f.dimension == dimension]
            end = rows[-1]
            ax.axhline(end + 0.5, color=OKABE_ITO[7], linewidth=1.2)
            favourite, _ = ARTICLE[dimension]
            measured = winners[dimension]
            mark = "agrees" if measured == favourite else "differs"
            ax.text(1.62, (start + end) / 2, f"{dimension}\narticle: {favourite}\nmeasured: {measured} ({mark})",
                    va="center", ha="left", fontsize=8.5, transform=ax.transData, clip_on=False,
                    fontweight="bold" if mark == "differs" else "normal")
            start = end + 1
        ax.set_xlim(-0.5, 1.5)
        ax.set_title(title or f"The five dimensions, measured ({card.scenario}, seed {card.seed})", pad=24)
        fig.subplots_adjust(left=0.33, right=0.72)
        if card.notes:  # how the figures were measured travels with the picture
            # a quarter of an inch more at the bottom for each line of notes
            fig.subplots_adjust(bottom=fig.subplotpars.bottom + 0.25 * len(card.notes) / fig.get_figheight())
            fig.text(0.01, 0.01, "\n".join(f"note: {n}" for n in card.notes), fontsize=8, ha="left", va="bottom",
                     wrap=True)
    return fig
