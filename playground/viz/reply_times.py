"""A histogram of how long a command waited for its reply, split at a timeout: what the timeout cut off.

>>> from playground.scenarios import invoice_incident
>>> fig = plot_reply_times(invoice_incident(orders=40, seed=1).run(), "ChargePayment", deadline=5.0)
>>> [t.get_text().split(" (")[0] for t in fig.axes[0].get_legend().get_texts()]
['reply within 5 s', 'reply after 5 s', 'timeout 5 s']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from playground.analysis.waits import reply_times
from playground.errors import PlaygroundError
from playground.viz.style import OKABE_ITO, WIDE, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

IN_TIME, LATE = OKABE_ITO[0], OKABE_ITO[3]


def plot_reply_times(result: "Result", command: str, *, deadline: float | None = None, bin_width: float = 0.25,
                     title: str | None = None) -> Figure:
    """How many ``command`` messages got their reply after how long, with replies past ``deadline`` in vermillion."""
    waits = sorted(reply_times(result, command).values())
    if not waits:
        raise PlaygroundError(f"No {command} got a reply in this run, so there is nothing to plot.")
    if not bin_width > 0:
        raise PlaygroundError(f"bin_width must be a number of seconds greater than 0, not {bin_width!r}.")
    top = max(waits[-1], deadline or 0.0) + bin_width
    edges = [i * bin_width for i in range(int(top / bin_width) + 2)]
    in_time = [w for w in waits if deadline is None or w <= deadline]
    late = [w for w in waits if deadline is not None and w > deadline]
    with course_style():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        label = f"reply within {deadline:g} s" if deadline is not None else "reply"
        ax.hist(in_time, bins=edges, color=IN_TIME, label=f"{label} ({len(in_time):,})")
        if deadline is not None:
            ax.hist(late, bins=edges, color=LATE, label=f"reply after {deadline:g} s ({len(late):,})")
            ax.axvline(deadline, color=OKABE_ITO[7], ls="--", lw=1.4, label=f"timeout {deadline:g} s")
        ax.set_yscale("log")  # the tail is a handful against hundreds: a linear axis would hide it
        ax.set_xlabel(f"time from {command} to its reply (simulated s)")
        ax.set_ylabel(f"{command} messages (log scale)")
        ax.set_xlim(0, edges[-1])
        ax.legend(loc="upper right")
        ax.set_title(title or f"How long {command} waited for its reply — {result.scenario}, seed {result.seed}")
    return fig
