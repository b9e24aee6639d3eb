"""What one business transaction puts on the bus, by message type: a stacked bar per run.

Spaghetti is easiest to see as volume: the same order, the same outcome,
and a bar that keeps growing as teams add reactions. Message types the first
run already had are drawn in grey (the flow everyone agreed on); each type
added since gets a colour of its own, with its share of the total.

>>> from playground.scenarios.spaghetti import event_spaghetti
>>> runs = {f"{n} teams": event_spaghetti(orders=3, seed=1, teams=n).run() for n in (0, 5)}
>>> fig = plot_message_mix(runs)
>>> ax = fig.axes[0]
>>> [round(bar.get_width()) for bar in ax.containers[0]], ax.get_xlabel()
([8, 8], 'messages per transaction (mean)')
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from playground.errors import PlaygroundError
from playground.viz.style import OKABE_ITO, WIDE, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

BASE = "#BBBBBB"


def message_mix(result: "Result") -> Counter:
    """Mean messages per transaction, by message type, over the run's transactions."""
    wanted = set(result.outcomes)
    if not wanted:
        raise PlaygroundError("This run has no transactions to count messages for; run a scenario with some.")
    counts: Counter = Counter()
    for e in result.trace.entries:
        if e.kind == "send" and e.correlation_id in wanted:
            counts[e.type] += 1
    return Counter({t: n / len(wanted) for t, n in counts.items()})


def plot_message_mix(runs: Mapping[str, "Result"], *, title: str | None = None) -> Figure:
    """One horizontal stacked bar per run (top to bottom in the given order), one segment per message type."""
    if not runs:
        raise PlaygroundError("plot_message_mix needs at least one run, as {label: result}.")
    mixes = {label: message_mix(run) for label, run in runs.items()}
    base = set(next(iter(mixes.values())))
    added = list(dict.fromkeys(t for mix in mixes.values() for t in mix if t not in base))
    colours = {t: OKABE_ITO[i % len(OKABE_ITO)] for i, t in enumerate(added)}
    labels = list(mixes)[::-1]  # barh draws bottom-up
    with course_style():
        fig, ax = plt.subplots(figsize=WIDE)
        base_widths = [sum(n for t, n in mixes[label].items() if t in base) for label in labels]
        ax.barh(labels, base_widths, color=BASE, label="the flow's own messages")
        left = base_widths
        for type_ in added:
            widths = [mixes[label].get(type_, 0.0) for label in labels]
            ax.barh(labels, widths, left=left, color=colours[type_], label=type_)
            left = [a + b for a, b in zip(left, widths)]
        for y, total in enumerate(left):
            ax.text(total, y, f" {total:g}", va="center")
        ax.set_xlabel("messages per transaction (mean)")
        ax.set_xlim(0, max(left) * 1.12)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
        ax.set_title(title or "What one transaction puts on the bus")
        fig.tight_layout()
    return fig


__all__ = ["message_mix", "plot_message_mix"]
