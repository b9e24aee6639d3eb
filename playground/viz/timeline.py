"""A swimlane timeline: one lane per component, messages as arrows, work as bars, faults marked.

Drawn from the trace only, so the same picture works for both wirings. Keep
it to a few transactions or a short time range; a thousand arrows show
nothing.

>>> from playground.scenarios import order_flow
>>> fig = swimlane(order_flow(orders=2, seed=1).run(), correlation_ids=["order-0001"])
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1]  # ticks count from the bottom lane
['customers', 'orders', 'invoices', 'payments', 'shipping', 'email']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from playground.errors import PlaygroundError
from playground.viz.style import WIDE, colour_for, course_style
from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.runtime.result import Result

#: Colour of fault markers and down windows (Okabe-Ito vermillion) — the one thing that should jump out.
FAULT = "#D55E00"


def _selected(trace: "Trace", correlation_ids: Iterable[str] | None, start: float | None, end: float | None) -> list:
    wanted = set(correlation_ids) if correlation_ids is not None else None
    chosen = [e for e in trace.entries
              if (wanted is None or e.correlation_id in wanted)
              and (start is None or e.time >= start) and (end is None or e.time <= end)]
    if wanted is None or not chosen:
        return chosen
    # Faults that belong to no transaction (a component going down) matter to every one drawn.
    at = {e.at for e in chosen}
    low, high = chosen[0].time, chosen[-1].time
    extra = [e for e in trace.entries if e.kind == "fault" and e.correlation_id is None and e.at in at
             and (e.time <= high) and (e.detail or {}).get("until", e.time) >= low
             and (e.detail or {}).get("phase") != "up"]
    return sorted(chosen + extra, key=lambda e: e.seq)


def swimlane(source: "Result | Trace", *, correlation_ids: Iterable[str] | None = None,
             start: float | None = None, end: float | None = None, max_arrows: int = 300,
             title: str | None = None) -> Figure:
    """Draw the selected part of a run as swimlanes and return the figure.

    Args:
        correlation_ids: only these transactions (default: all).
        start, end: only entries within this simulated time range (seconds).
        max_arrows: refuse to draw more messages than this; narrow the selection instead.
    """
    trace = getattr(source, "trace", source)
    entries = _selected(trace, correlation_ids, start, end)
    sends = {e.message_id: e for e in entries if e.kind == "send"}
    arrivals = [e for e in entries if e.kind == "deliver" and e.message_id in sends]
    if len(arrivals) > max_arrows:
        raise PlaygroundError(f"That selection holds {len(arrivals):,} messages, more than max_arrows={max_arrows}; "
                              "pick a few correlation_ids or a shorter start/end range.")
    lanes: list[str] = []
    for e in entries:
        if e.kind in ("send", "deliver", "start", "fault") and e.at not in lanes and e.at != DEAD_LETTERS:
            lanes.append(e.at)
    if not lanes:
        raise PlaygroundError("Nothing in the trace matches that selection; check the correlation ids and time range.")
    row = {name: len(lanes) - 1 - i for i, name in enumerate(lanes)}  # first lane on top

    with course_style():
        fig, ax = plt.subplots(figsize=(WIDE[0], max(2.5, 0.55 * len(lanes) + 1.2)))
        begun = {}
        for e in entries:
            if e.kind == "start":
                begun[(e.message_id, e.at)] = e.time
            elif e.kind in ("end", "redeliver") and (e.message_id, e.at) in begun and e.at in row:
                t0 = begun.pop((e.message_id, e.at))
                ax.broken_barh([(t0, max(e.time - t0, 1e-9))], (row[e.at] - 0.18, 0.36),
                               facecolors=colour_for(e.at), edgecolors="white", linewidth=0.8, alpha=0.5,
                               gid="work")
        arrived: set[tuple[str, str]] = set()
        for e in arrivals:
            sent = sends[e.message_id]
            if sent.at not in row or e.at not in row:
                continue
            # A second arrival of the same message (duplicate or redelivery) is dashed.
            again = (e.message_id, e.at) in arrived
            arrived.add((e.message_id, e.at))
            ax.add_patch(FancyArrowPatch((sent.time, row[sent.at]), (e.time, row[e.at]),
                                         arrowstyle="-|>", mutation_scale=9, lw=0.9,
                                         linestyle="--" if again else "-",
                                         color=colour_for(sent.at), alpha=0.8, gid="message"))
        faults = [e for e in entries if e.kind == "fault" and e.at in row]
        for e in faults:
            detail = e.detail or {}
            if detail.get("phase") == "down":
                ax.fill_betweenx([row[e.at] - 0.45, row[e.at] + 0.45], e.time, detail["until"],
                                 color=FAULT, alpha=0.15, hatch="//", linewidth=0, gid="down")
        points = [(e.time, row[e.at]) for e in faults if (e.detail or {}).get("phase") not in ("down", "up")]
        if points:
            ax.scatter(*zip(*points), marker="X", s=70, color=FAULT, zorder=5, gid="fault")
        ax.set_yticks(range(len(lanes)), labels=list(reversed(lanes)))
        ax.set_ylim(-0.6, len(lanes) - 0.4)
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel("component")
        ax.grid(axis="y", visible=False)
        times = [e.time for e in entries]
        span = max(times) - min(times) or 1.0
        ax.set_xlim(min(times) - 0.03 * span, max(times) + 0.03 * span)
        what = f"{len(set(correlation_ids))} transaction(s)" if correlation_ids is not None else "all transactions"
        ax.set_title(title or f"Who talked to whom, and when — {what}")
        handles = [Line2D([], [], color="grey", marker=">", label="message (sender's colour)"),
                   Patch(color="grey", alpha=0.5, label="handling a message")]
        if len(arrived) < sum(1 for p in ax.patches if p.get_gid() == "message"):
            handles.append(Line2D([], [], color="grey", linestyle="--", label="same message again"))
        if points:
            handles.append(Line2D([], [], color=FAULT, marker="X", linestyle="", label="injected fault"))
        if any((e.detail or {}).get("phase") == "down" for e in faults):
            handles.append(Patch(facecolor=FAULT, alpha=0.15, hatch="//", label="component down"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        fig.tight_layout()
    return fig
