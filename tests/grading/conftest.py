"""Fixtures for grading tests: learner code from fixture files, notebooks with cells swapped, graded reports.

Wrong answers live in ``fixtures/<exercise>/<name>.py``, split into cells by
``# %% <grade_id>`` lines: in process they run as one file; for a kernel they
replace the solution notebook's cells with those grade ids.
"""

import os
import re
import runpy
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"

# Fixture files are a learner's code, not test modules: doctest collection must not import them.
collect_ignore = ["fixtures"]

# Checks draw their workloads from a grading seed; fix it so verdicts and feedback are reproducible (set the
# variable yourself to replay the grading tests on other workloads). Graders started from here inherit it.
os.environ.setdefault("PLAYGROUND_GRADING_SEED", "20261127")


def fixture_cells(exercise_id: str, name: str) -> dict[str, str]:
    """grade_id → source, from a fixture file's ``# %% <grade_id>`` sections."""
    text = (FIXTURES / exercise_id / f"{name}.py").read_text(encoding="utf-8")
    parts = re.split(r"^# %% (\w+)\n", text, flags=re.M)
    return {grade_id: body.strip("\n") for grade_id, body in zip(parts[1::2], parts[2::2])}


@pytest.fixture
def learner():
    """Run a fixture file in this process and return its globals (a learner's namespace)."""
    def run(exercise_id: str, name: str) -> dict:
        return runpy.run_path(str(FIXTURES / exercise_id / f"{name}.py"))
    return run


@pytest.fixture
def submission(tmp_path):
    """Write a copy of a solution notebook with some cells' sources replaced; returns its path."""
    def write(exercise_id: str, cells: dict[str, str], *, folder: str = "solutions") -> Path:
        nb = nbformat.read(ROOT / folder / f"{exercise_id}.ipynb", as_version=4)
        unknown = set(cells) - {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        assert not unknown, f"no cells with grade ids {unknown} in {exercise_id}"
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in cells:
                cell.source = cells[grade_id]
        path = tmp_path / f"{exercise_id}.ipynb"
        nbformat.write(nb, path)
        return path
    return write


def _exercises_with_notebooks() -> list[str]:
    from playground.grading.exercises import EXERCISES

    return [e for e in sorted(EXERCISES) if (ROOT / "solutions" / f"{e}.ipynb").exists()]


EXERCISE_IDS = _exercises_with_notebooks()


@pytest.fixture(scope="session")
def graded_folders():
    """Every solution and every starter graded on a fresh kernel, two at a time (kernel starts dominate)."""
    from playground.grading import grade_notebook

    jobs = {(folder, e): ROOT / folder / f"{e}.ipynb" for folder in ("solutions", "exercises") for e in EXERCISE_IDS}
    with ThreadPoolExecutor(2) as pool:
        futures = {key: pool.submit(grade_notebook, path) for key, path in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture
def notebook_namespace():
    """Run a notebook's code cells in this process, as a kernel would (errors kept, not raised).

    Self-check cells are skipped: the tests run the checks themselves.
    Returns the namespace and the errors, one per failing cell.
    """
    def run(exercise_id: str, folder: str) -> tuple[dict, list[BaseException]]:
        nb = nbformat.read(ROOT / folder / f"{exercise_id}.ipynb", as_version=4)
        namespace, errors = {"__name__": "__main__"}, []
        for number, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "self-check" in cell.metadata.get("tags", []):
                continue
            try:
                exec(compile(cell.source, f"{folder}/{exercise_id}.ipynb#cell{number}", "exec"), namespace)
            except Exception as exc:
                errors.append(exc)
        return namespace, errors
    return run
