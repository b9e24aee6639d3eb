"""Fixtures for grading tests: learner code from fixture files, notebooks with cells swapped, graded reports.

Wrong answers live in ``fixtures/<exercise>/<name>.py``, split into cells by
``# %% <grade_id>`` lines: in process they run as one file; for a kernel they
replace the solution notebook's cells with those grade ids.

Every graded exercise keeps a wrong-answer suite: one fixture file for each
name in :data:`REQUIRED_ANSWERS` (more are welcome), and a table in its test
module saying what each check must conclude, checked by :func:`assert_verdicts`::

    ANSWERS = {
        "dead_letter_typo": {"safety_net_refunds": verdict("failed", "dead-lettered", "did you mean")},
        "alternative": {check.id: PASSES for check in EXERCISE.checks},
        ...
    }

    @pytest.mark.parametrize("name", sorted(ANSWERS))
    def test_answers_get_their_verdict_and_the_reason(name):
        assert_verdicts("03_invoice_incident", name, ANSWERS[name])

``tests/grading/test_answer_suites.py`` fails for any registered exercise
whose suite lacks one of the required answers.
"""

import dataclasses
import functools
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

    Self-check cells are skipped: the tests run the checks themselves. ``replace`` swaps the
    source of cells by grade id. Returns the namespace and the errors, one per failing cell.
    """
    def run(exercise_id: str, folder: str, replace: dict[str, str] | None = None) -> tuple[dict, list[BaseException]]:
        nb = nbformat.read(ROOT / folder / f"{exercise_id}.ipynb", as_version=4)
        namespace, errors = {"__name__": "__main__"}, []
        for number, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "self-check" in cell.metadata.get("tags", []):
                continue
            source = (replace or {}).get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
            try:
                exec(compile(source, f"{folder}/{exercise_id}.ipynb#cell{number}", "exec"), namespace)
            except Exception as exc:
                errors.append(exc)
        return namespace, errors
    return run


# -- wrong-answer suites ------------------------------------------------------------------------------
#: What every graded exercise's wrong-answer suite holds (fixture file names): an answer fitted to the
#: notebook's seed, one built on numbers the notebook prints, a message that breaks its contract, a typo
#: that dead-letters messages, and a valid answer written differently (which must pass).
REQUIRED_ANSWERS = ("seed_overfitted", "hard_coded", "contract_breaking", "dead_letter_typo", "alternative")
#: Real seconds a check may take in these tests: they judge verdicts and feedback, not speed.
TEST_LIMIT = 120.0


@dataclasses.dataclass(frozen=True)
class Verdict:
    """What one check must conclude about an answer: its status, and phrases its feedback must contain."""

    status: str
    says: tuple[str, ...] = ()


def verdict(status: str, *says: str) -> Verdict:
    """``verdict("failed", "dead-lettered", "did you mean 'RefundPayment'")``: status and key phrases."""
    return Verdict(status, says)


PASSES = verdict("passed")


@functools.lru_cache(maxsize=None)
def judged(exercise_id: str, name: str, check_id: str, seed: int | None = None):
    """One check's result on a fixture answer, run in this process (cached: several tests read it)."""
    from playground.grading.exercises import exercise

    namespace = runpy.run_path(str(FIXTURES / exercise_id / f"{name}.py"))
    return exercise(exercise_id).check(check_id, namespace, limit=TEST_LIMIT, seed=seed)


def feedback_problems(message: str | None) -> list[str]:
    """What makes feedback unfit for a learner: a traceback, an object repr, several lines, a wall of text."""
    if message is None:
        return []
    found = []
    if "Traceback" in message or "\n" in message:
        found.append("it carries a traceback or several lines")
    # A repr quotes with single quotes (Step(name='payment', ...)); hints written for a learner use double ones.
    if re.search(r"object at 0x|[A-Z]\w*\(\w+='", message):
        found.append("it shows an internal repr")
    if len(message) > 700:
        found.append(f"it is {len(message)} characters long")
    return found


def assert_verdicts(exercise_id: str, name: str, expected: dict[str, Verdict], *, seed: int | None = None) -> None:
    """Every named check reaches its verdict on answer ``name`` and says the key phrases, in learner's terms."""
    for check_id, want in expected.items():
        result = judged(exercise_id, name, check_id, seed)
        where = f"{exercise_id}/{name}: {check_id} was {result.status} ({result.message})"
        assert result.status == want.status, where
        for phrase in want.says:
            assert phrase in (result.message or ""), f"{where} — missing {phrase!r}"
        assert not feedback_problems(result.message), f"{where} — {feedback_problems(result.message)}"
