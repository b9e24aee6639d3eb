"""The graded exercises, by id (the stem of their notebook in ``solutions/`` and ``exercises/``).

Each exercise lives in its own module with its checks; modules load on
first use, so grading one exercise never imports the others.

>>> sorted(EXERCISES)[:1]
['01_faust_agent']
>>> exercise_for("exercises/07_loyalty_points.ipynb").id
'07_loyalty_points'
"""

from __future__ import annotations

import importlib
from pathlib import Path

from playground.errors import PlaygroundError
from playground.grading.checks import Exercise

#: Exercise id → the module that declares it as ``EXERCISE``.
EXERCISES: dict[str, str] = {
    "01_faust_agent": "playground.grading.exercises.faust_agent",
    "02_transitions_machine": "playground.grading.exercises.transitions_machine",
    "03_invoice_incident": "playground.grading.exercises.invoice_incident",
    "04_car_compensation": "playground.grading.exercises.car_compensation",
    "07_loyalty_points": "playground.grading.exercises.loyalty_points",
    "08_idempotent_email": "playground.grading.exercises.idempotent_email",
    "09_contract_evolution": "playground.grading.exercises.contract_evolution",
    "10_winner_flips": "playground.grading.exercises.winner_flips",
    "11_move_the_boundary": "playground.grading.exercises.move_the_boundary",
    "12_write_the_spec": "playground.grading.exercises.write_the_spec",
    "13_stale_decisions": "playground.grading.exercises.stale_decisions",
    "14_capstone": "playground.grading.exercises.capstone",
}


def exercise(id: str) -> Exercise:
    """The exercise called ``id``."""
    if id not in EXERCISES:
        raise PlaygroundError(f"There is no exercise called {id!r}; choose from {', '.join(sorted(EXERCISES))}.")
    return importlib.import_module(EXERCISES[id]).EXERCISE


def exercise_for(path: str | Path) -> Exercise:
    """The exercise a notebook file belongs to, from its name (a copy like ``07_loyalty_points-mine.ipynb`` works too)."""
    stem = Path(path).stem
    for id in sorted(EXERCISES, key=len, reverse=True):
        if stem == id or stem.startswith(id):
            return exercise(id)
    raise PlaygroundError(f"{Path(path).name} does not belong to a known exercise; keep the file name it came with "
                          f"({', '.join(sorted(EXERCISES))}) or pass --exercise.")
