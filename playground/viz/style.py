"""One look for every picture: a colour-blind-safe palette and sizes that fit a notebook.

The Okabe-Ito palette stays distinguishable under the common forms of colour
blindness; colours are handed out in a fixed order so the same service gets
the same colour in every figure of a chapter.

>>> colour_for("payments") == colour_for("payments")
True
>>> len(OKABE_ITO)
8
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import matplotlib as mpl

#: Okabe & Ito (2008), black last so lines and text keep it for emphasis.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: Fixed colours for the names the course uses most, so they never swap between figures.
NAMED = {
    "orders": OKABE_ITO[0], "invoices": OKABE_ITO[1], "payments": OKABE_ITO[2], "shipping": OKABE_ITO[3],
    "email": OKABE_ITO[4], "orchestrator": OKABE_ITO[7], "users": OKABE_ITO[5], "accounts": OKABE_ITO[6],
    "choreography": OKABE_ITO[2], "orchestration": OKABE_ITO[0], "hybrid": OKABE_ITO[4],
}

#: Width × height in inches that fits a JupyterLab notebook column without scrolling.
WIDE = (9.0, 4.0)
SQUARE = (6.0, 5.0)


def colour_for(name: str, index: int | None = None) -> str:
    """The colour for ``name``: its fixed one if it has one, else the ``index``-th of the palette."""
    if name in NAMED:
        return NAMED[name]
    if index is None:
        index = sum(map(ord, name))  # stable across processes, unlike hash()
    return OKABE_ITO[index % len(OKABE_ITO)]


#: The settings :func:`course_style` applies.
SETTINGS = {
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "legend.frameon": False,
    "svg.hashsalt": "conductor-and-troupe",
}


@contextmanager
def course_style() -> Iterator[None]:
    """Apply the course's plot settings inside a ``with`` block, leaving global settings alone.

    Only the keys in :data:`SETTINGS` are restored afterwards. ``matplotlib.rc_context``
    would restore everything, including the interactive flag that Jupyter's inline
    backend switches on when the first figure is drawn — and later figures would
    then silently stop showing up in the notebook.
    """
    previous = {key: mpl.rcParams[key] for key in SETTINGS}
    mpl.rcParams.update(SETTINGS)
    try:
        yield
    finally:
        mpl.rcParams.update(previous)
