"""A copy against its system of record, over time: when it went stale, and which decisions read it then.

>>> from playground.scenarios.stale_copies import stale_copies, consumer_lag
>>> run = stale_copies(orders=40, seed=3, faults=consumer_lag(seconds=30)).run()
>>> fig = plot_copies(run, "customer-01")
>>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
['record (credit)', 'copy held by sales']
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from playground.analysis.pitfalls import detect_stale_copies, value_history
from playground.errors import PlaygroundError
from playground.viz.style import OKABE_ITO, WIDE, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Shading while the copy disagrees with the record (Okabe-Ito vermillion, faint).
STALE = "#D55E00"


def _steps(points: list[tuple[float, float]], until: float) -> tuple[list[float], list[float]]:
    times = [t for t, _ in points] + [until]
    values = [v for _, v in points] + [points[-1][1]]
    return times, values


def _disagreeing(record: list[tuple[float, float]], copy: list[tuple[float, float]], until: float
                 ) -> list[tuple[float, float]]:
    """The (start, end) windows in which the copy held a value other than the record's."""
    changes = sorted([(t, "record", v) for t, v in record] + [(t, "copy", v) for t, v in copy], key=lambda c: c[0])
    now: dict[str, float] = {}
    windows, since = [], None
    for t, who, v in changes:
        now[who] = v
        differs = "copy" in now and now["copy"] != now.get("record")
        if differs and since is None:
            since = t
        elif not differs and since is not None:
            windows.append((since, t))
            since = None
    if since is not None:
        windows.append((since, until))
    return windows


def plot_copies(result: "Result", key: str | None = None, *, holder: str | None = None,
                title: str | None = None) -> Figure:
    """One value's record and a holder's copy as step lines, stale windows shaded, decisions marked.

    ``key`` defaults to the one with the most stale reads; ``holder`` to the first that holds a copy of it.
    """
    drift = detect_stale_copies(result)
    if key is None:
        counted = Counter(r.key for r in drift.stale_reads)
        reads = [e.detail["key"] for e in result.trace.entries if e.kind == "data" and e.detail.get("role") == "read"]
        if not reads:
            raise PlaygroundError("This run has no decisions that read a copy; run a scenario with copies, "
                                  "e.g. stale_copies().")
        key = counted.most_common(1)[0][0] if counted else reads[0]
    history = value_history(result, key)
    holders = [h for h in history if h != "record"]
    holder = holder if holder is not None else (holders[0] if holders else None)
    if holder not in history:
        raise PlaygroundError(f"Nobody called {holder!r} holds a copy of {key!r}; holders here: {', '.join(holders)}.")
    end = result.finished_at
    with course_style():
        fig, ax = plt.subplots(figsize=WIDE, layout="constrained")
        record_owner = next(e.at for e in result.trace.entries if e.kind == "data" and e.detail.get("role") == "record")
        ax.step(*_steps(history["record"], end), where="post", color=OKABE_ITO[0], lw=2.6,
                label=f"record ({record_owner})")
        ax.step(*_steps(history[holder], end), where="post", color=OKABE_ITO[1], lw=1.6, ls="--",
                label=f"copy held by {holder}")
        for start, stop in _disagreeing(history["record"], history[holder], end):
            ax.axvspan(start, stop, color=STALE, alpha=0.12, lw=0)
        stale = {(r.decision, r.time): r for r in drift.stale_reads if r.key == key and r.holder == holder}
        fresh_t, fresh_v, harmless_t, harmless_v, wrong_t, wrong_v = [], [], [], [], [], []
        for e in result.trace.entries:
            if e.kind != "data" or e.at != holder or e.detail.get("role") != "read" or e.detail.get("key") != key:
                continue
            r = stale.get((str(e.detail.get("decision")), e.time))
            t, v = (wrong_t, wrong_v) if r is not None and r.wrong else (harmless_t, harmless_v) if r else (fresh_t, fresh_v)
            t.append(e.time)
            v.append(e.detail.get("amount", e.detail["value"]))
        ax.scatter(fresh_t, fresh_v, s=18, color=OKABE_ITO[2], marker="o", label="order decided on a current copy",
                   zorder=3)
        ax.scatter(harmless_t, harmless_v, s=28, color=OKABE_ITO[4], marker="^",
                   label="decided on a stale copy, same answer", zorder=3)
        ax.scatter(wrong_t, wrong_v, s=50, color=STALE, marker="X", label="decided on a stale copy, wrong answer",
                   zorder=4)
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Patch(color=STALE, alpha=0.12, label="copy disagrees with the record"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel("limit; markers: order amount")
        ax.set_xlim(0, end)
        ax.set_ylim(bottom=0)
        ax.set_title(title or f"{key}: the record and the copy held by {holder}", loc="left", fontsize=10)
    return fig
