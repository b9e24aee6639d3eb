"""Solution and hidden-test regions in a cell's source, and the nbgrader metadata that marks cells.

The rules follow nbgrader's own (``ClearSolutions`` and ``ClearHiddenTests``),
so a solution notebook means the same thing to ``playground exercises build``
and to ``nbgrader generate_assignment``: a line containing ``BEGIN SOLUTION``
opens a region that ends at the line containing ``END SOLUTION``; the region
becomes ``raise NotImplementedError()`` at the indentation of the opening
line. Comments above the region (the ``# TODO:`` that tells a learner what to
do) stay where they are.

>>> print(clear_solutions('''def total(prices):
...     # TODO: add the prices up.
...     ### BEGIN SOLUTION
...     return sum(prices)
...     ### END SOLUTION'''))
def total(prices):
    # TODO: add the prices up.
    raise NotImplementedError()
"""

from __future__ import annotations

import re
from typing import Any

from playground.errors import PlaygroundError

STUB = "raise NotImplementedError()"
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"

#: Keys nbgrader's cell metadata schema 3 requires on every marked cell.
SCHEMA_KEYS = ("schema_version", "grade", "solution", "locked")


class MarkerError(PlaygroundError):
    """A solution notebook whose markers or metadata cannot produce an exercise."""


def _regions(source: str, begin: str, end: str, *, where: str) -> list[tuple[int, int]]:
    """(first, last) line numbers of each region, markers included; refuses nesting and open regions."""
    regions, opened = [], None
    for number, line in enumerate(source.split("\n")):
        if begin in line:
            if opened is not None:
                raise MarkerError(f"{where} opens a '{begin}' region inside another one; close the first one.")
            opened = number
        elif end in line:
            if opened is None:
                raise MarkerError(f"{where} has an '{end}' line without a '{begin}' above it.")
            regions.append((opened, number))
            opened = None
    if opened is not None:
        raise MarkerError(f"{where} opens a '{begin}' region that never ends; add an '{end}' line.")
    return regions


def has_solution(source: str, *, where: str = "a cell") -> bool:
    return bool(_regions(source, BEGIN_SOLUTION, END_SOLUTION, where=where))


def has_hidden_tests(source: str, *, where: str = "a cell") -> bool:
    return bool(_regions(source, BEGIN_HIDDEN, END_HIDDEN, where=where))


def clear_solutions(source: str, *, where: str = "a cell") -> str:
    """Replace every solution region with the stub, indented like its opening marker."""
    lines = source.split("\n")
    out: list[str] = []
    kept = 0
    for first, last in _regions(source, BEGIN_SOLUTION, END_SOLUTION, where=where):
        out.extend(lines[kept:first])
        indent = re.match(r"\s*", lines[first]).group(0)
        out.append(indent + STUB)
        kept = last + 1
    out.extend(lines[kept:])
    return "\n".join(out)


def clear_hidden_tests(source: str, *, where: str = "a cell") -> str:
    """Drop every hidden-test region, markers included."""
    lines = source.split("\n")
    out: list[str] = []
    kept = 0
    for first, last in _regions(source, BEGIN_HIDDEN, END_HIDDEN, where=where):
        out.extend(lines[kept:first])
        kept = last + 1
    out.extend(lines[kept:])
    return "\n".join(out)


def grading_meta(cell: Any) -> dict[str, Any]:
    """The cell's nbgrader metadata, or an empty dict for an ordinary cell."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def check_cell(cell: Any, *, where: str) -> None:
    """Refuse a cell whose markers and nbgrader metadata disagree (the mistakes nbgrader would refuse too)."""
    meta = grading_meta(cell)
    source = cell.get("source", "")
    if meta:
        missing = [key for key in SCHEMA_KEYS if key not in meta]
        if missing:
            raise MarkerError(f"{where} lacks nbgrader metadata {', '.join(missing)}; schema 3 needs all of "
                              f"{', '.join(SCHEMA_KEYS)}.")
        if meta["schema_version"] != 3:
            raise MarkerError(f"{where} uses nbgrader metadata schema {meta['schema_version']}; write schema 3.")
        if (meta["grade"] or meta["solution"] or meta["locked"]) and not meta.get("grade_id"):
            raise MarkerError(f"{where} is marked for grading but has no grade_id; give it a unique one.")
        if meta["grade"] and "points" not in meta:
            raise MarkerError(f"{where} is a graded cell without points; say how many it is worth.")
    if has_solution(source, where=where) and not meta.get("solution"):
        raise MarkerError(f"{where} has a solution region but is not marked as a solution cell; "
                          "set nbgrader solution: true.")
    if has_hidden_tests(source, where=where) and not meta.get("grade"):
        raise MarkerError(f"{where} has hidden tests but is not a graded cell; set nbgrader grade: true.")
