"""Generate the learners' starter notebooks (``exercises/``) from the reference solutions (``solutions/``).

One source, nothing to keep in sync by hand: every solution region becomes a
``raise NotImplementedError()`` stub (the ``# TODO:`` above it stays), hidden
tests disappear, outputs and execution counts are cleared, and the nbgrader
cell metadata (schema 3) is kept so an instructor can run nbgrader on either
folder. The output is byte-for-byte stable, so a test can compare the
committed ``exercises/`` with what this module generates.

>>> import nbformat
>>> solution = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
...     "def total(prices):\\n    # TODO: add the prices up.\\n    ### BEGIN SOLUTION\\n"
...     "    return sum(prices)\\n    ### END SOLUTION",
...     metadata={"nbgrader": {"schema_version": 3, "grade": False, "solution": True,
...                            "locked": False, "grade_id": "total"}})])
>>> print(starter(solution).cells[0].source)
def total(prices):
    # TODO: add the prices up.
    raise NotImplementedError()
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from playground.grading.markers import (MarkerError, STUB, check_cell, clear_hidden_tests, clear_solutions,
                                        grading_meta, has_solution)

#: What a markdown answer cell becomes (nbgrader's text stub).
TEXT_STUB = "YOUR ANSWER HERE"


def starter(solution: nbformat.NotebookNode, *, name: str = "the notebook") -> nbformat.NotebookNode:
    """The starter notebook for ``solution`` (which is left untouched)."""
    nb = copy.deepcopy(solution)
    for number, cell in enumerate(nb.cells, start=1):
        where = f"Cell {number} of {name}"
        check_cell(cell, where=where)
        meta = grading_meta(cell)
        if cell.cell_type == "code":
            if meta.get("solution"):
                cell.source = clear_solutions(cell.source, where=where) if has_solution(cell.source, where=where) else STUB
            cell.source = clear_hidden_tests(cell.source, where=where)
            cell.outputs = []
            cell.execution_count = None
        elif meta.get("solution"):
            cell.source = TEXT_STUB
        cell.metadata.pop("execution", None)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    """The notebook as the exact text written to disk."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def expected_exercises(solutions: Path) -> dict[str, str]:
    """File name → the text each generated exercise notebook should have."""
    out = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out[path.name] = render(starter(nb, name=f"{path.parent.name}/{path.name}"))
    return out


def drift(solutions: Path, exercises: Path) -> list[str]:
    """File names in ``exercises`` that differ from, are missing from, or have no source in ``solutions``."""
    wanted = expected_exercises(solutions)
    present = {p.name for p in Path(exercises).glob("*.ipynb")}
    stale = [name for name, text in wanted.items()
             if name not in present or (Path(exercises) / name).read_text(encoding="utf-8") != text]
    return sorted(stale + [name for name in present if name not in wanted])


def build(solutions: Path, exercises: Path) -> list[str]:
    """Write every starter into ``exercises`` and delete starters whose solution is gone; returns what changed."""
    exercises = Path(exercises)
    exercises.mkdir(parents=True, exist_ok=True)
    changed = drift(solutions, exercises)
    for name, text in expected_exercises(solutions).items():
        if name in changed:
            (exercises / name).write_text(text, encoding="utf-8")
    for path in exercises.glob("*.ipynb"):
        if path.name in changed and not (Path(solutions) / path.name).exists():
            path.unlink()
    return changed


__all__ = ["MarkerError", "build", "drift", "expected_exercises", "render", "starter"]
