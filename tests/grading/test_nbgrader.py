"""An instructor's path: nbgrader takes solutions/ as its source, releases our starters and grades both ways.

Uses the real nbgrader package through its Python API (``nbgrader validate``
exits 0 even when validation fails, so its command line cannot be trusted in
a test). The course directory is temporary.
"""

import os
import shutil
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
from sqlalchemy.exc import SAWarning
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
ASSIGNMENT = "conductor"


def _api(course: Path) -> NbGraderAPI:
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    # Our starters carry the bare stub (the TODO above it says what to do); tell nbgrader the same.
    config.ClearSolutions.code_stub = {"python": "raise NotImplementedError()"}
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _submit(course: Path, student: str, notebooks: list[Path]) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    for path in notebooks:
        shutil.copy(path, folder / path.name)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course whose one assignment is every solution notebook; graded for a solver and a starter."""
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        # nbgrader runs the `alembic` command by name: it must find the one installed beside it.
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        # nbgrader's gradebook code triggers SQLAlchemy session warnings we cannot fix from here.
        warnings.simplefilter("ignore", SAWarning)
        yield _graded_course(tmp_path_factory.mktemp("course"))


def _graded_course(course: Path) -> Path:
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    for path in SOLUTIONS:
        shutil.copy(path, course / "source" / ASSIGNMENT / path.name)
    api = _api(course)
    generated = api.generate_assignment(ASSIGNMENT)
    assert generated["success"], generated.get("error") or generated.get("log")
    _submit(course, "solver", SOLUTIONS)
    _submit(course, "starter", [ROOT / "exercises" / p.name for p in SOLUTIONS[:1]])
    for student in ("solver", "starter"):
        graded = api.autograde(ASSIGNMENT, student)
        assert graded["success"], graded.get("error") or graded.get("log")
    return course


def test_our_notebooks_carry_valid_nbgrader_metadata():
    validator = MetadataValidator()
    for path in [*SOLUTIONS, *(ROOT / "exercises" / p.name for p in SOLUTIONS)]:
        nb = nbformat.read(path, as_version=4)
        validator.validate_nb(nb)  # raises on any cell nbgrader would refuse
        assert any(c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells)


def test_nbgrader_releases_exactly_our_starters(course):
    for path in SOLUTIONS:
        released = nbformat.read(course / "release" / ASSIGNMENT / path.name, as_version=4)
        ours = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
        assert [c.source for c in released.cells] == [c.source for c in ours.cells], path.name
        assert ([c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells]
                == [c.metadata.get("nbgrader", {}).get("grade_id") for c in ours.cells])


def test_nbgrader_autograde_gives_the_solutions_full_marks_and_a_starter_none(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission(ASSIGNMENT, "solver")
        assert solver.max_score > 0
        assert solver.score == solver.max_score
        starter = gradebook.find_submission(ASSIGNMENT, "starter")
        assert starter.score == 0
        assert {nb.name for nb in solver.notebooks} == {p.stem for p in SOLUTIONS}
