"""The god's-eye view over time: how many saga instances sat in each state at every simulated moment.

The dashboard answers "where is every instance *now*"; this picture answers
it for every moment of a run, from the orchestrator's ``state`` entries in
the trace. Waiting states are stacked in the bottom panel (where a backlog
or a stuck step shows up as a growing band), the endings are counted in the
top one, and the windows in which the orchestrator was down are shaded.
An instance an orchestrator forgot stays, in this picture, in the last
state the trace saw it in — which is exactly what it is: stranded there.

>>> from playground.scenarios import travel_booking
>>> history = state_history(travel_booking(trips=5, seed=1).run())
>>> history.waiting, history.endings, history.count("completed")[-1]
(['flight', 'hotel', 'car'], ['completed'], 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from playground.analysis.metrics import down_windows
from playground.errors import PlaygroundError
from playground.orchestration.machine import TERMINALS
from playground.viz.style import OKABE_ITO, WIDE, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Shading for the orchestrator's down windows (faint grey, so it never reads as a state's colour).
DOWN = "#999999"
#: Endings are drawn in black, told apart by line style; waiting states get the palette's colours.
ENDING_STYLES = {"completed": "-", "compensated": "--", "stuck": ":"}
#: Rolling back always has the same colour (Okabe-Ito vermillion); other states share the rest in turn.
COMPENSATING = OKABE_ITO[3]


@dataclass
class StateHistory:
    """Instances per state after each change: ``times[i]`` → ``counts[state][i]``."""

    times: list[float]
    counts: dict[str, list[int]]
    waiting: list[str]   # non-terminal states, in order of first appearance ("new" left out: it is left at once)
    endings: list[str]   # terminal states that occurred, in TERMINALS order

    def count(self, state: str) -> list[int]:
        return self.counts[state]


def state_history(result: "Result", orchestrator: str = "orchestrator") -> StateHistory:
    """Replay the orchestrator's ``state`` entries into per-state instance counts over time."""
    changes = [e for e in result.trace.entries if e.kind == "state" and e.at == orchestrator]
    if not changes:
        raise PlaygroundError("This run has no orchestrator state changes to plot; only orchestrated runs have a "
                              "saga history.")
    seen: list[str] = []
    for e in changes:
        for state in (e.detail["from"], e.detail["to"]):
            if state not in seen:
                seen.append(state)
    level = {state: 0 for state in seen}
    times: list[float] = [0.0]
    counts = {state: [0] for state in seen}
    for e in changes:
        level[e.detail["from"]] -= 1
        level[e.detail["to"]] += 1
        if times[-1] == e.time:  # several changes at one instant: keep the last level only
            for state in seen:
                counts[state][-1] = level[state]
        else:
            times.append(e.time)
            for state in seen:
                counts[state].append(level[state])
    # "new" goes negative in this replay (instances are born there unrecorded); it is a bookkeeping state.
    waiting = [s for s in seen if s not in TERMINALS and s != "new"]
    endings = [s for s in TERMINALS if s in seen]
    return StateHistory(times, counts, waiting, endings)


def plot_saga_states(result: "Result", *, title: str | None = None) -> Figure:
    """Instances that have ended (top) and instances waiting in each state (bottom, stacked) over time."""
    history = state_history(result)
    # A little room after the last change, so an ending at the very last moment still shows as a step.
    end = max(history.times[-1], result.finished_at) * 1.03
    times = [*history.times, end]
    with course_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDE[0], 6.0), sharex=True, layout="constrained",
                                          height_ratios=[2, 3])
        for state in history.endings:
            values = history.count(state)
            top.step(times, [*values, values[-1]], where="post", color=OKABE_ITO[7], ls=ENDING_STYLES[state],
                     lw=1.8, label=state)
        top.set_ylabel("instances ended")
        top.set_ylim(bottom=0)
        top.legend(loc="upper left")
        # Neighbouring states get far-apart colours; orange comes late so it rarely sits beside vermillion.
        palette = [OKABE_ITO[i] for i in (0, 5, 2, 6, 4, 1, 7)]
        stacked = [[*history.count(s), history.count(s)[-1]] for s in history.waiting]
        others = iter(palette * (1 + len(history.waiting) // len(palette)))
        colours = [COMPENSATING if s == "compensating" else next(others) for s in history.waiting]
        bottom.stackplot(times, stacked, labels=history.waiting, colors=colours, step="post", alpha=0.85)
        handles, _ = bottom.get_legend_handles_labels()
        downs = down_windows(result, "orchestrator")
        for start, stop in downs:
            for ax in (top, bottom):
                ax.axvspan(start, stop, color=DOWN, alpha=0.25, lw=0)
        if downs:
            handles.append(Patch(color=DOWN, alpha=0.25, label="orchestrator down"))
        bottom.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), title="waiting in")
        bottom.set_ylabel("instances in flight")
        bottom.set_xlabel("simulated time (s)")
        bottom.set_xlim(0, end)
        bottom.set_ylim(bottom=0)
        top.set_title(title or f"Saga instances by state — {result.scenario}, seed {result.seed}")
    return fig
