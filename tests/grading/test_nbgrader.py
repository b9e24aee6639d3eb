"""An instructor's path, through nbgrader's command line as README documents it: nbgrader and ``playground grade`` agree.

The course directory is temporary and uses ``support/nbgrader/nbgrader_config.py``,
the file README tells an instructor to copy. Students: one who solved every
exercise, one who handed in a starter, one whose notebooks loop forever (in a
handler, on repeated deliveries only, so later checks must still run in the
same kernel; and at the top of a cell) and one with partly right answers.
nbgrader autogrades them with its command line; every notebook that is not a
solution is graded by ``playground grade`` too, on the same grading seed, and
both must award the same points. To use both cores, the generated course is
copied: the solver's notebooks are autograded in one copy while the others'
are autograded in the other and then graded by ``playground grade`` one at a
time (on copies of the submissions). The gradebook is read through nbgrader's Python API
(``nbgrader validate`` exits 0 even when validation fails, so exit codes prove
nothing there).
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from sqlalchemy.exc import SAWarning

from conftest import fixture_cells  # tests/grading/conftest.py

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
CONFIG = ROOT / "support" / "nbgrader" / "nbgrader_config.py"
ASSIGNMENT = "conductor"
BIN = Path(sys.executable).parent
SEED = os.environ.get("PLAYGROUND_GRADING_SEED", "20261127")

#: Submissions besides the solver's: student → notebook → cells swapped into the solution (by grade id).
SUBMISSIONS = {
    "looper": {
        "07_loyalty_points": fixture_cells("07_loyalty_points", "loop_on_repeat"),  # a handler that never returns
        "08_idempotent_email": {"fault_plan": "while True:\n    pass"},            # a cell that never ends
    },
    "partial": {
        "07_loyalty_points": fixture_cells("07_loyalty_points", "twice"),           # 7 of 10
    },
}


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLAYGROUND_GRADING_SEED": SEED,
           # nbgrader runs the `alembic` command by name: it must find the one installed beside it.
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1500)


def _swapped(exercise_id: str, cells: dict[str, str], path: Path) -> None:
    nb = nbformat.read(ROOT / "solutions" / f"{exercise_id}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell.source = cells[grade_id]
    nbformat.write(nb, path)


STUDENTS = ["solver", "starter", *SUBMISSIONS]


@dataclasses.dataclass
class Graded:
    """Two copies of one course directory after ``nbgrader generate_assignment``, each autograded as README says
    (the solver's in ``course``, everybody else's in ``others``), and ``playground grade --json`` of every
    submission in SUBMISSIONS."""

    course: Path
    others: Path
    reports: dict[tuple[str, str], dict]

    def scores(self) -> dict[tuple[str, str], tuple[float, float]]:
        """(student, notebook) → (score, max_score) from nbgrader's gradebooks."""
        found = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's session handling, not ours
            for folder, students in ((self.course, ["solver"]), (self.others, STUDENTS[1:])):
                with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
                    found.update({(student, nb.name): (nb.score, nb.max_score) for student in students
                                  for nb in gradebook.find_submission(ASSIGNMENT, student).notebooks})
        return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    # One generated assignment, copied (gradebook and all) so that two `nbgrader autograde` commands can run side
    # by side, each on its own gradebook: the solver's eleven notebooks on one core; the other students'
    # notebooks, then `playground grade` of each, one at a time, on the other.
    course = tmp_path_factory.mktemp("course")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    for path in SOLUTIONS:
        shutil.copy(path, course / "source" / ASSIGNMENT / path.name)
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    generated = _run(str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, cwd=course)
    assert generated.returncode == 0, generated.stderr[-2000:]
    others = tmp_path_factory.mktemp("course-others")
    shutil.copytree(course, others, dirs_exist_ok=True)
    folders = {student: (course if student == "solver" else others) / "submitted" / student / ASSIGNMENT
               for student in STUDENTS}
    for folder in folders.values():
        folder.mkdir(parents=True)
    for path in SOLUTIONS:
        shutil.copy(path, folders["solver"] / path.name)
    shutil.copy(ROOT / "exercises" / SOLUTIONS[0].name, folders["starter"] / SOLUTIONS[0].name)
    copies = tmp_path_factory.mktemp("for-playground-grade")
    for student, notebooks in SUBMISSIONS.items():
        (copies / student).mkdir()
        for exercise_id, cells in notebooks.items():
            _swapped(exercise_id, cells, folders[student] / f"{exercise_id}.ipynb")
            shutil.copy(folders[student] / f"{exercise_id}.ipynb", copies / student / f"{exercise_id}.ipynb")
    with ThreadPoolExecutor(1) as beside:
        autograded_others = beside.submit(_run, str(BIN / "nbgrader"), "autograde", ASSIGNMENT, cwd=others)
        ours = {(student, exercise_id): beside.submit(
                    _run, str(BIN / "playground"), "grade", "--json", "--seed", SEED,
                    str(copies / student / f"{exercise_id}.ipynb"), cwd=ROOT)
                for student, notebooks in SUBMISSIONS.items() for exercise_id in notebooks}
        autograded = [_run(str(BIN / "nbgrader"), "autograde", ASSIGNMENT, cwd=course), autograded_others.result()]
        reports = {key: future.result() for key, future in ours.items()}
    for done in autograded:
        assert done.returncode == 0, done.stderr[-2000:]
    return Graded(course, others, {key: json.loads(done.stdout) for key, done in reports.items()})


def test_our_notebooks_carry_valid_nbgrader_metadata():
    validator = MetadataValidator()
    for path in [*SOLUTIONS, *(ROOT / "exercises" / p.name for p in SOLUTIONS)]:
        nb = nbformat.read(path, as_version=4)
        validator.validate_nb(nb)  # raises on any cell nbgrader would refuse
        assert any(c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells)


def test_nbgrader_releases_exactly_our_starters(graded):
    for path in SOLUTIONS:
        released = nbformat.read(graded.course / "release" / ASSIGNMENT / path.name, as_version=4)
        ours = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
        assert [c.source for c in released.cells] == [c.source for c in ours.cells], path.name
        assert ([c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells]
                == [c.metadata.get("nbgrader", {}).get("grade_id") for c in ours.cells])


def test_nbgrader_autograde_gives_the_solutions_full_marks_and_a_starter_none(graded):
    scores = graded.scores()
    solver = {nb: s for (student, nb), s in scores.items() if student == "solver"}
    assert set(solver) == {p.stem for p in SOLUTIONS}
    for name, (score, max_score) in solver.items():
        assert max_score > 0 and score == max_score, name
    assert scores[("starter", SOLUTIONS[0].stem)][0] == 0


@pytest.mark.parametrize("student, exercise_id",
                         [(s, e) for s, notebooks in SUBMISSIONS.items() for e in notebooks])
def test_nbgrader_and_playground_grade_award_the_same_points(graded, student, exercise_id):
    report = graded.reports[(student, exercise_id)]
    assert report["seed"] == int(SEED)
    assert graded.scores()[(student, exercise_id)] == (report["score"], report["max_score"]), report


def test_the_endless_loops_cost_only_the_checks_that_need_the_looping_code(graded):
    scores = graded.scores()
    assert scores[("looper", "07_loyalty_points")][0] == 7      # only the check with repeats loops; the rest ran on
    assert scores[("looper", "08_idempotent_email")][0] == 8    # only the fault plan was lost
    assert scores[("partial", "07_loyalty_points")][0] == 7

