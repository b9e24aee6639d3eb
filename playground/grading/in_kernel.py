"""What the grader runs inside the learner's kernel, before their cells and after them.

:func:`prepare` arms a wall-clock limit for every cell (so a cell stuck in a
loop ends with one line instead of hanging the grader) and loads the
exercise's checks before any learner code can change what they compare
against. :func:`report` runs the checks on the kernel's own globals and
publishes the result as data the grader reads back, never as printed text.
"""

from __future__ import annotations

from typing import Any, MutableMapping

from playground.grading.deadline import Guard, OutOfTime, describe
from playground.grading.exercises import exercise
from playground.grading.learner import innermost_learner_function

#: The mime type under which :func:`report` publishes its result.
REPORT_MIME = "application/vnd.playground.report+json"


class _CellLimit:
    """Arms a :class:`Guard` when a cell starts and disarms it when the cell ends."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.guard: Guard | None = None
        self.where: str | None = None  # what the last stopped cell was running

    def pre_run_cell(self, info: Any) -> None:
        self.guard = Guard(self.seconds).start()

    def post_run_cell(self, result: Any) -> None:
        self.disarm()

    def disarm(self) -> None:
        if self.guard is not None:
            self.guard.stop()
            self.where = self.guard.where
            self.guard = None


_LIMIT: _CellLimit | None = None


def _one_line(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
    """IPython's handler for OutOfTime: the error output carries one sentence, no traceback."""
    where = _LIMIT.where if _LIMIT else None
    stopped = OutOfTime(_LIMIT.seconds if _LIMIT else 0.0, where or innermost_learner_function(tb))
    value.args = (describe(stopped),)
    return [f"{etype.__name__}: {value.args[0]}"]


def prepare(exercise_id: str, cell_limit: float) -> None:
    """Load the exercise's checks and limit every following cell to ``cell_limit`` real seconds."""
    global _LIMIT
    from IPython import get_ipython

    exercise(exercise_id)
    shell = get_ipython()
    _LIMIT = _CellLimit(cell_limit)
    shell.events.register("pre_run_cell", _LIMIT.pre_run_cell)
    shell.events.register("post_run_cell", _LIMIT.post_run_cell)
    shell.set_custom_exc((OutOfTime,), _one_line)


def report(exercise_id: str, namespace: MutableMapping[str, Any], limit: float) -> dict[str, Any]:
    """Run every check against ``namespace`` and publish the report as ``REPORT_MIME`` display data."""
    from IPython.display import display

    if _LIMIT is not None:
        _LIMIT.disarm()  # each check has its own limit; this cell may take longer than one cell's
    data = exercise(exercise_id).run(namespace, limit=limit).to_dict()
    display({REPORT_MIME: data}, raw=True)
    return data
