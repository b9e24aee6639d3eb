"""The capstone's wrong answers: the reference answer with one thing changed, built from the solution notebook.

A capstone answer is a whole domain (messages, services, saga, scenario,
spec); copying it into every fixture would bury the one line each wrong
answer is about. A fixture names that line instead::

    globals().update(answer(services=[("if request_id not in self.told:", "if True:")]))

Each change is (text in the reference cell, what a learner wrote instead),
keyed by the cell's grade id; a change whose text is not found fails at once,
so a fixture cannot silently test the reference answer.
"""

from pathlib import Path

import nbformat

SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / "14_capstone.ipynb"


def answer(**changes):
    """The namespace of the solution's setup and answer cells, with ``changes`` made (grade id → [(old, new), ...])."""
    nb = nbformat.read(SOLUTION, as_version=4)
    namespace, unused = {"__name__": "capstone_answer"}, set(changes)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code" or not (grade_id == "setup" or meta.get("solution")):
            continue
        source = cell.source
        for old, new in changes.get(grade_id, ()):
            assert old in source, f"the reference cell {grade_id} has no {old!r} to change"
            source = source.replace(old, new)
        unused.discard(grade_id)
        exec(compile(source, f"{SOLUTION.parent.name}/{SOLUTION.name}#{grade_id}", "exec"), namespace)
    assert not unused, f"the reference answer has no cells {sorted(unused)}"
    return namespace
