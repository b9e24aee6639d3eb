"""What the grader runs inside the learner's kernel: their cells, under a time limit, then the checks.

:func:`prepare` loads the exercise's checks before any learner code can
change what they compare against. :func:`run_cell` runs one learner cell in
a thread of its own with a wall-clock limit — there, a simulated run works
on the thread's own loop, so a limit that runs out unwinds it cleanly — and
turns an endless loop into one sentence. :func:`report` runs the checks on
the kernel's globals and publishes the result as data the grader reads back,
never as printed text.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from typing import Any, MutableMapping

from playground.grading.deadline import OutOfTime, call_with_limit, describe
from playground.grading.exercises import exercise

#: The mime type under which :func:`report` publishes its result.
REPORT_MIME = "application/vnd.playground.report+json"


class CellTookTooLong(Exception):
    """A learner's cell outlived its limit; the message says how long and where it was."""


def prepare(exercise_id: str) -> None:
    """Load the exercise's checks (and with them the snapshots some checks compare against)."""
    exercise(exercise_id)


def run_cell(source: str, namespace: MutableMapping[str, Any], *, number: int, limit: float) -> None:
    """Run one cell's code in ``namespace``, stopping it after ``limit`` real seconds.

    IPython's own syntax (magics, shell escapes) is translated first; the file
    name makes functions defined here count as the learner's in feedback.
    """
    from IPython import get_ipython

    shell = get_ipython()
    code = shell.transform_cell(source) if shell is not None else source
    compiled = compile(code, f"<ipython-input-{number}>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    def body() -> None:
        if compiled.co_flags & inspect.CO_COROUTINE:  # a cell with a top-level await
            asyncio.run(eval(compiled, namespace))
        else:
            exec(compiled, namespace)

    try:
        call_with_limit(body, seconds=limit)
    except OutOfTime as stopped:
        raise CellTookTooLong(describe(stopped)) from None


def report(exercise_id: str, namespace: MutableMapping[str, Any], limit: float, seed: int) -> dict[str, Any]:
    """Run every check against ``namespace`` (workloads from grading seed ``seed``); publish the report as ``REPORT_MIME`` display data."""
    from IPython.display import display

    data = exercise(exercise_id).run(namespace, limit=limit, seed=seed).to_dict()
    display({REPORT_MIME: data}, raw=True)
    return data
