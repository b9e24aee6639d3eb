"""The grading worker: one learner notebook, one fresh kernel, one JSON line per event on stdout.

Started by :func:`playground.grading.sandbox.grade_notebook` as
``python -m playground.grading.worker NOTEBOOK EXERCISE LIMIT SEED``. It runs the
learner's code cells one by one (skipping the self-check cells: it runs the
checks itself afterwards, on the kernel's globals), turns each cell's error
into one sentence, and ends with a ``report`` line.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from playground.grading.exercises import exercise

#: Tag on the cells a notebook runs its self-check in; the grader runs the checks itself.
SELF_CHECK_TAG = "self-check"


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
        if name == "CellTookTooLong":
            return f"{label} {value}"
        return f"{label} raised {name}" + (f": {value[:160]}" if value else "")
    return None


def _emit(**event: Any) -> None:
    print(json.dumps(event), flush=True)


def _run_code(client: Any, source: str) -> Any:
    """Run grader code in the kernel as a cell of its own, appended (nbclient stores a cell at its index)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    client.execute_cell(cell, len(client.nb.cells) - 1)
    return cell


def work(path: Path, exercise_id: str, limit: float, seed: int) -> None:
    """The worker: execute the notebook at ``path`` and emit the report (runs in its own process)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from playground.grading.in_kernel import REPORT_MIME

    checks = exercise(exercise_id)
    problems: list[str] = []

    def not_run(problems: list[str]) -> dict[str, Any]:
        report = checks.not_run(problems)
        report.seed = seed
        return report.to_dict()

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable JSON, not a notebook, a missing file
        _emit(event="report", **not_run([f"{path.name} is not a notebook that can be read ({exc}); "
                                           "download it again from JupyterLab"]))
        return
    # nbclient's own limit is a backstop (it takes whole seconds): the kernel-side guard stops cells first.
    client = NotebookClient(nb, timeout=math.ceil(limit) + 5, kernel_name="python3", allow_errors=True,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    learner_cells = len(nb.cells)
    with client.setup_kernel():
        _run_code(client, f"from playground.grading import in_kernel as _grading\n_grading.prepare({exercise_id!r})")
        number = 0
        for index, cell in list(enumerate(nb.cells))[:learner_cells]:
            if cell.cell_type != "code":
                continue
            number += 1
            if SELF_CHECK_TAG in cell.get("metadata", {}).get("tags", []):
                continue
            label = _label(number, cell.source)
            _emit(event="start", cell=label)
            # The cell runs under the kernel-side limit; its outputs still land on the cell.
            wrapped = nbformat.v4.new_code_cell(
                f"_grading.run_cell({cell.source!r}, globals(), number={number}, limit={limit!r})")
            try:
                client.execute_cell(wrapped, index)
            except (CellTimeoutError, DeadKernelError) as exc:
                stopped = "did not finish" if isinstance(exc, CellTimeoutError) else "stopped the kernel"
                problems.append(f"{label} {stopped}; the checks could not run after it")
                _emit(event="report", **not_run(problems))
                return
            problem = _cell_problem(label, wrapped.get("outputs", []))
            if problem:
                problems.append(problem)
        _emit(event="start", cell="the checks")
        client.timeout = math.ceil((limit + 4) * len(checks.checks)) + 10
        try:
            cell = _run_code(client, f"_grading.report({exercise_id!r}, globals(), {limit!r}, {seed!r});")
        except (CellTimeoutError, DeadKernelError):
            problems.append("the checks did not finish: something in the notebook stopped them (an exit() call, "
                            "or code stuck outside Python); run the notebook top to bottom and look for it")
            _emit(event="report", **not_run(problems))
            return
    data = next((o["data"][REPORT_MIME] for o in cell.outputs if REPORT_MIME in o.get("data", {})), None)
    if data is None:
        problems.append(_cell_problem("the checks", cell.outputs) or "the checks produced no report")
        _emit(event="report", **not_run(problems))
        return
    data["problems"] = problems
    _emit(event="report", **data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.grading.sandbox")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("exercise")
    parser.add_argument("limit", type=float)
    parser.add_argument("seed", type=int)
    args = parser.parse_args(argv)
    work(args.notebook, args.exercise, args.limit, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
