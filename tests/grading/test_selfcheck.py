"""The self-check cells: one line when a check passes, one sentence (and no traceback) when it fails."""

import pytest

from playground.grading import CheckFailed, SelfCheck


def test_a_passing_check_prints_one_line_and_a_failing_one_raises_the_feedback(notebook_namespace, capsys):
    namespace, _ = notebook_namespace("08_idempotent_email", "solutions")
    capsys.readouterr()
    check = SelfCheck("08_idempotent_email", namespace)
    check("every_order_confirmed")
    assert capsys.readouterr().out == "✔ 2/2  every completed order gets its confirmation\n"
    del namespace["UNKIND"]
    with pytest.raises(CheckFailed) as caught:
        check("plan_breaks_plain_email")
    assert caught.value._render_traceback_() == [
        "CheckFailed: 0/2 points — Your notebook defines no fault plan called `UNKIND`; keep the name the starter "
        "gives it, and make sure the cell that defines it runs without an error."]


def test_the_summary_runs_what_is_left_and_adds_up(notebook_namespace):
    namespace, _ = notebook_namespace("08_idempotent_email", "solutions")
    check = SelfCheck("08_idempotent_email", namespace)
    check("every_order_confirmed")
    assert [r.id for r in check.report().results] == ["every_order_confirmed"]
    report = check.summary()
    assert (report.score, report.max_score) == (10, 10)
    assert len(report.results) == 4


def test_an_unknown_exercise_is_refused_with_the_choices():
    with pytest.raises(Exception, match="There is no exercise called '09_nope'; choose from 01_faust_agent, "
                                        "02_transitions_machine, 03_invoice_incident"):
        SelfCheck("09_nope", {})
