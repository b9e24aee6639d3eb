"""Grade a notebook in a fresh kernel, in a process of its own, within a time limit.

``grade_notebook`` starts this module as a worker process; the worker starts
a kernel, runs the learner's code cells one by one (skipping the self-check
cells, whose checks it runs itself afterwards), and writes one JSON object
per line on stdout: a ``start`` line before each cell and the ``report`` at
the end. If the worker outlives its time limit it is killed with its whole
process group (its kernel follows, having lost its parent), and the last
``start`` line says which cell was running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from playground.errors import PlaygroundError
from playground.grading.checks import CHECK_LIMIT, CheckResult, Report
from playground.grading.exercises import exercise, exercise_for

#: Tag on the cells a notebook runs its self-check in; the grader runs the checks itself.
SELF_CHECK_TAG = "self-check"
#: Real seconds for the kernel to start and the playground to import.
STARTUP = 30.0


def _label(number: int, source: str) -> str:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    first = first if len(first) <= 48 else first[:47] + "…"
    return f"code cell {number} (`{first}`)" if first else f"code cell {number}"


def _cell_problem(label: str, outputs: list) -> str | None:
    """One sentence for the first error a cell stored, or None."""
    for out in outputs:
        if out.get("output_type") != "error":
            continue
        name, value = out.get("ename", "Error"), (out.get("evalue") or "").strip().splitlines()
        value = value[0] if value else ""
        if name in ("SyntaxError", "IndentationError", "TabError"):
            line = re.search(r"line (\d+)\)?$", value)
            text = re.sub(r"\s*\([^()]*line \d+\)$", "", value)
            where = f" on line {line.group(1)}" if line else ""
            return f"{label} has a {name.replace('Error', ' error').lower()}{where}: {text}; fix it so the cell runs"
        if name == "NotImplementedError":
            return f"{label} stops at a `raise NotImplementedError()` stub; replace it with your code"
        if name == "OutOfTime":
            return f"{label} {value}"
        return f"{label} raised {name}" + (f": {value[:160]}" if value else "")
    return None


def _emit(**event: Any) -> None:
    print(json.dumps(event), flush=True)


def _run_code(client: Any, source: str) -> Any:
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, -1)
    return cell


def work(path: Path, exercise_id: str, limit: float) -> None:
    """The worker: execute the notebook at ``path`` and emit the report (runs in its own process)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from playground.grading.in_kernel import REPORT_MIME

    checks = exercise(exercise_id)
    problems: list[str] = []
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable JSON, not a notebook, a missing file
        _emit(event="report", **_not_run(checks, [f"{path.name} is not a notebook that can be read ({exc}); "
                                                  "download it again from JupyterLab"]).to_dict())
        return
    client = NotebookClient(nb, timeout=limit + 5, kernel_name="python3", allow_errors=True,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        _run_code(client, f"from playground.grading import in_kernel as _grading\n"
                          f"_grading.prepare({exercise_id!r}, {limit!r})")
        number = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            number += 1
            if SELF_CHECK_TAG in cell.get("metadata", {}).get("tags", []):
                continue
            label = _label(number, cell.source)
            _emit(event="start", cell=label)
            try:
                client.execute_cell(cell, index)
            except (CellTimeoutError, DeadKernelError) as exc:
                stopped = "did not finish" if isinstance(exc, CellTimeoutError) else "stopped the kernel"
                problems.append(f"{label} {stopped}; the checks could not run after it")
                _emit(event="report", **_not_run(checks, problems).to_dict())
                return
            problem = _cell_problem(label, cell.get("outputs", []))
            if problem:
                problems.append(problem)
        _emit(event="start", cell="the checks")
        cell = _run_code(client, f"_grading.report({exercise_id!r}, globals(), {limit!r});")
    data = next((o["data"][REPORT_MIME] for o in cell.outputs if REPORT_MIME in o.get("data", {})), None)
    if data is None:
        problems.append(_cell_problem("the checks", cell.outputs) or "the checks produced no report")
        _emit(event="report", **_not_run(checks, problems).to_dict())
        return
    data["problems"] = problems
    _emit(event="report", **data)


def _not_run(checks: Any, problems: list[str]) -> Report:
    results = [CheckResult(c.id, c.title, c.points, 0, "error", "Not run: the notebook did not get as far as the checks.")
               for c in checks.checks]
    return Report(checks.id, checks.title, results, problems)


def grade_notebook(path: str | Path, *, exercise_id: str | None = None, limit: float = CHECK_LIMIT,
                   timeout: float | None = None) -> Report:
    """Grade the notebook at ``path`` in a fresh kernel and return its :class:`Report`.

    Args:
        exercise_id: which exercise it is; by default read from the file name.
        limit: real seconds each cell and each check may take.
        timeout: real seconds for the whole grading; by default enough for
            every cell and every check to use its limit.
    """
    path = Path(path)
    if not path.is_file():
        raise PlaygroundError(f"There is no notebook at {path}; check the path.")
    checks = exercise(exercise_id) if exercise_id else exercise_for(path)
    if timeout is None:
        timeout = STARTUP + limit * (len(checks.checks) + 4)
    command = [sys.executable, "-m", "playground.grading.sandbox", str(path.resolve()), checks.id, str(limit)]
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
    return _not_run(checks, [reason])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.grading.sandbox")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("exercise")
    parser.add_argument("limit", type=float)
    args = parser.parse_args(argv)
    work(args.notebook, args.exercise, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
