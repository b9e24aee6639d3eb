"""Grade a notebook in a fresh kernel, in a process of its own, within a time limit.

:func:`grade_notebook` starts :mod:`playground.grading.worker` as a process
of its own and reads the JSON lines it writes: a ``start`` line before each
cell and the ``report`` at the end. If the worker outlives its time limit it
is killed with its whole process group (its kernel follows within a second,
having lost its parent), and the last ``start`` line says which cell was
still running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from playground.errors import PlaygroundError
from playground.grading.checks import CHECK_LIMIT, Report
from playground.grading.exercises import exercise, exercise_for
from playground.grading.unseen import fresh_seed

#: Real seconds for the kernel to start and the playground to import.
STARTUP = 30.0


def grade_notebook(path: str | Path, *, exercise_id: str | None = None, limit: float = CHECK_LIMIT,
                   timeout: float | None = None, seed: int | None = None) -> Report:
    """Grade the notebook at ``path`` in a fresh kernel and return its :class:`Report`.

    Args:
        exercise_id: which exercise it is; by default read from the file name.
        limit: real seconds each cell and each check may take.
        timeout: real seconds for the whole grading; by default enough for
            every cell and every check to use its limit.
        seed: the grading seed the checks draw their workloads from; by
            default ``PLAYGROUND_GRADING_SEED`` or a fresh one. The report records it.
    """
    path = Path(path)
    if not path.is_file():
        raise PlaygroundError(f"There is no notebook at {path}; check the path.")
    checks = exercise(exercise_id) if exercise_id else exercise_for(path)
    if timeout is None:
        timeout = STARTUP + limit * (len(checks.checks) + 4)
    seed = fresh_seed() if seed is None else seed
    command = [sys.executable, "-m", "playground.grading.worker", str(path.resolve()), checks.id, str(limit),
               str(seed)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        reason = None
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        reason = f"grading stopped after {timeout:g} seconds"
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    report = next((e for e in events if e.get("event") == "report"), None)
    if report is not None:
        report.pop("event")
        return Report.from_dict(report)
    running = next((e["cell"] for e in reversed(events) if e.get("event") == "start"), None)
    if reason and running:
        reason += f" while {running} was still running; look for a loop that never ends"
    elif not reason:
        last = (err.strip().splitlines() or ["no output"])[-1]
        reason = f"the grader could not run this notebook ({last[:200]})"
    report = checks.not_run([reason])
    report.seed = seed
    return report
