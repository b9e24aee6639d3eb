"""Pictures of a spec and of its measurement: the process map with a pattern per interaction, the guarantees kept.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "shop", "capabilities": [{"name": "orders", "team": "shop"},
...     {"name": "email", "team": "crm"}], "interactions": [
...     {"name": "checkout", "trigger": "command", "steps": [{"name": "place", "capability": "orders"}]},
...     {"name": "receipt", "trigger": "event", "after": "checkout", "steps": [{"name": "mail", "capability": "email"}]}]})
>>> print(process_map(spec).plain())
Flowchart (drawn by JupyterLab; as text here):
  checkout · choreograph: place by orders
  receipt · choreograph: mail by email
  customers → checkout: command
  checkout → receipt: completed
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from playground.design.recommend import ORCHESTRATE, recommend
from playground.design.spec import ACTORS, ProcessSpec
from playground.runtime.mermaid import Mermaid
from playground.viz.style import OKABE_ITO, course_style

if TYPE_CHECKING:  # pragma: no cover
    from playground.design.measure import Measurement

KEPT, BROKEN = "#9fd8c4", "#f2b99a"


def process_map(spec: ProcessSpec) -> Mermaid:
    """The interactions as boxes (pattern, steps and their capabilities), joined by the ends that start them.

    As text, each box is told once and the arrows name the interactions only.
    """
    picked = recommend(spec).patterns()
    lines, boxes, arrows = ["flowchart LR"], [], []
    for i in spec.interactions:
        steps = " → ".join(f"{s.name} by {s.capability}" for s in i.steps)
        boxes.append(f"{i.name} · {picked[i.name]}: {steps}")
        lines.append(f'    i_{i.name}["{boxes[-1]}"]')
    entry = spec.entry
    actor = ACTORS[entry.trigger]
    lines.append(f'    a_{actor}(["{actor}"])')
    lines.append(f'    a_{actor} -->|"{entry.trigger}"| i_{entry.name}')
    arrows.append(f"{actor} → {entry.name}: {entry.trigger}")
    for i in spec.interactions:
        if i.after is not None:
            lines.append(f'    i_{i.after} -->|"{i.on}"| i_{i.name}')
            arrows.append(f"{i.after} → {i.name}: {i.on}")
    for i in spec.interactions:
        colour = OKABE_ITO[5] if picked[i.name] == ORCHESTRATE else OKABE_ITO[2]
        lines.append(f"    style i_{i.name} stroke:{colour},stroke-width:3px")
    return Mermaid("\n".join(lines), told=boxes + arrows)


def plot_guarantees(found: "Measurement", *, title: str | None = None) -> Figure:
    """One row per fault of the suite, one column per wiring; each cell lists the guarantees broken there."""
    from playground.design.measure import COLUMNS

    faults = list(found.guarantees)
    with course_style():
        fig, ax = plt.subplots(figsize=(10, 0.55 * len(faults) + 1.6))
        colours, texts = [], []
        for fault in faults:
            row_c, row_t = [], []
            for wiring in COLUMNS:
                counts = {g: n for g, n in found.guarantees[fault][wiring].items() if n}
                row_c.append(to_rgb(BROKEN if counts else KEPT))
                row_t.append("\n".join(f"{g}: {n}" for g, n in counts.items()) or "all kept")
            colours.append(row_c)
            texts.append(row_t)
        ax.imshow(colours, aspect="auto")
        for r, row in enumerate(texts):
            for c, text in enumerate(row):
                ax.text(c, r, text, ha="center", va="center", fontsize=8.5)
        ax.set_xticks(range(len(COLUMNS)), COLUMNS)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(faults)), faults)
        ax.set_xlabel("wiring (green: every guarantee kept; vermillion: instances that broke one, by guarantee)",
                      fontsize=8.5)
        ax.set_ylabel("fault of the standard suite")
        ax.grid(False)
        per_run = (f"first {found.sampled} of {found.instances} instances" if found.sampled < found.instances
                   else f"{found.instances} instances")
        ax.set_title(title or f"Guarantees of {found.spec.name} under faults ({per_run} per run, seed {found.seed})",
                     pad=22)
        fig.subplots_adjust(left=0.22)
        notes = [n for n in (found.sample_note(), found.recommended_note()) if n]
        if notes:  # how the counts were measured travels with the picture, whatever the title says
            # a quarter of an inch more at the bottom for each line of notes
            fig.subplots_adjust(bottom=fig.subplotpars.bottom + 0.25 * len(notes) / fig.get_figheight())
            fig.text(0.01, 0.01, "\n".join(f"note: {n}" for n in notes), fontsize=8, ha="left", va="bottom",
                     wrap=True)
    return fig
