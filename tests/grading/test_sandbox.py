"""Grading on a fresh kernel, in a process of its own: solutions, starters, and submissions that misbehave."""

import json
import time

import pytest

from playground.cli import main
from playground.grading import grade_notebook
from playground.grading.sandbox import STARTUP

from conftest import EXERCISE_IDS, fixture_cells  # tests/grading/conftest.py


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_solution_earns_full_marks_on_a_fresh_kernel(graded_folders, exercise_id):
    report = graded_folders[("solutions", exercise_id)]
    assert report.score == report.max_score > 0, report.text()
    assert report.problems == []


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_starter_runs_up_to_its_first_stub_and_earns_nothing(graded_folders, exercise_id):
    report = graded_folders[("exercises", exercise_id)]
    assert report.score == 0, report.text()
    # The cells before the first stub ran cleanly: the first problem is the stub itself.
    assert report.problems and "stops at a `raise NotImplementedError()` stub" in report.problems[0], report.problems
    for result in report.results:
        assert result.message and "Traceback" not in result.message
        assert "NotImplementedError" in result.message or "defines no" in result.message, result.message


def test_the_command_prints_feedback_or_json_and_exits_by_score(tmp_path, capsys):
    starter = tmp_path / "07_loyalty_points.ipynb"
    starter.write_text("{ not json", encoding="utf-8")
    assert main(["grade", str(starter), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["score"] == 0 and data["max_score"] == 10
    assert data["problems"][0].startswith("07_loyalty_points.ipynb is not a notebook that can be read")
    assert main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert "There is no notebook at" in capsys.readouterr().err


def test_an_endless_loop_ends_within_its_limits_with_one_clear_message(submission):
    path = submission("07_loyalty_points", fixture_cells("07_loyalty_points", "loop"))
    started = time.monotonic()
    report = grade_notebook(path, limit=1.5)
    elapsed = time.monotonic() - started
    # The kernel-side limits stopped the loop (the outer limit, which kills the worker, was not needed).
    assert elapsed < STARTUP + 1.5 * (len(report.results) + 4), f"grading took {elapsed:.1f} s"
    assert not any(p.startswith("grading stopped") for p in report.problems)
    assert report.score == 0
    assert any("did not finish within 1.5 seconds of real time (it was still running `Loyalty.record`)" in p
               for p in report.problems), report.problems
    timeouts = [r for r in report.results if r.status == "timeout"]
    assert timeouts and all("`Loyalty.record`" in r.message for r in timeouts)


def test_a_syntax_error_costs_only_the_checks_that_need_that_cell(submission):
    path = submission("07_loyalty_points", fixture_cells("07_loyalty_points", "broken_reactions"))
    report = grade_notebook(path)
    assert report.score == 2, report.text()  # the service on its own still earns its points
    assert any("has a syntax error on line 2: invalid syntax" in p for p in report.problems), report.problems
    assert all("Traceback" not in p for p in report.problems)


def test_code_stuck_outside_python_is_ended_from_outside(submission):
    path = submission("08_idempotent_email", {"fault_plan": "import time\ntime.sleep(600)"})
    started = time.monotonic()
    # 25 s: a kernel on a busy machine can take over 10 s to start before the first cell runs.
    report = grade_notebook(path, limit=30, timeout=25)
    assert time.monotonic() - started < 45
    assert report.score == 0
    (problem,) = report.problems
    assert problem.startswith("grading stopped after 25 seconds while code cell 2 (`import time`) was still running")
