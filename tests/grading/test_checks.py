import json

import pytest

from playground.errors import PlaygroundError
from playground.grading.checks import Check, Exercise, Failed, Report
from playground.grading.learner import fetch


def _needs_f(ns):
    if fetch(ns, "f")(2) != 4:
        raise Failed("f(2) should be 4")


def _loops(ns):
    while True:
        pass


def _refused(ns):
    raise PlaygroundError("The order flow has no service called 'mail'; choose from email.")


DEMO = Exercise("00_demo", "Demo", [
    Check("doubles", "f doubles", 3, _needs_f),
    Check("ends", "it ends", 1, _loops),
    Check("refused", "asks for real things", 1, _refused),
    Check("crashes", "does not crash", 2, lambda ns: ns["g"]()),
])


def test_every_way_of_failing_becomes_a_status_and_a_sentence():
    report = DEMO.run({"f": lambda x: x * 2, "g": lambda: 1 / 0}, limit=0.2)
    by_id = {r.id: r for r in report.results}
    assert (report.score, report.max_score) == (3, 7)
    assert by_id["doubles"].status == "passed" and by_id["doubles"].message is None
    assert by_id["ends"].status == "timeout" and "did not finish within 0.2 seconds" in by_id["ends"].message
    assert by_id["refused"].message == "The order flow has no service called 'mail'; choose from email."
    assert by_id["crashes"].status == "error"
    assert by_id["crashes"].message.endswith("<lambda>` raised ZeroDivisionError: division by zero.")


def test_a_report_survives_json_and_says_a_repeated_reason_once():
    report = DEMO.run({}, limit=0.2)
    data = json.loads(report.to_json())
    assert data["score"] == 0 and data["max_score"] == 7 and len(data["checks"]) == 4
    assert Report.from_dict(data) == report
    text = report.text()
    assert text.splitlines()[0] == "00_demo · Demo: 0/7 points"
    assert "Traceback" not in text


def test_an_exercise_refuses_duplicate_or_unknown_check_ids():
    with pytest.raises(PlaygroundError, match="declares a check id twice"):
        Exercise("00_x", "X", [Check("a", "a", 1, _needs_f), Check("a", "b", 1, _needs_f)])
    with pytest.raises(PlaygroundError, match="has no check called 'nope'; choose from doubles"):
        DEMO.check("nope", {})
