"""Exercise 08's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise

EXERCISE = exercise("08_idempotent_email")


def _by_id(report):
    return {r.id: r for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("08_idempotent_email", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("08_idempotent_email", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    results = _by_id(report)
    assert "defines no fault plan called `UNKIND`" in results["plan_breaks_plain_email"].message
    for check in ("every_order_confirmed", "once_under_duplicates", "once_after_crash"):
        assert results[check].message.startswith("`IdempotentEmail.__init__` still raises NotImplementedError")


def test_a_memory_keyed_by_customer_loses_second_orders(learner):
    results = _by_id(EXERCISE.run(learner("08_idempotent_email", "by_customer")))
    assert results["plan_breaks_plain_email"].passed
    message = results["every_order_confirmed"].message
    assert "completed but its confirmation never went out" in message
    assert "had ordered before: remember orders, not customers" in message


def test_a_silent_repeat_loses_the_announcement_after_a_crash(learner):
    report = EXERCISE.run(learner("08_idempotent_email", "silent_repeat"))
    assert report.score == 7
    (failed,) = [r for r in report.results if not r.passed]
    assert failed.id == "once_after_crash"
    assert "ConfirmationSent was never announced" in failed.message
    assert "on a repeat, skip the email but return ConfirmationSent again" in failed.message


def test_remembering_only_the_last_order_fails_after_a_crash(learner):
    results = _by_id(EXERCISE.run(learner("08_idempotent_email", "last_only")))
    assert results["once_under_duplicates"].passed  # back-to-back duplicates are caught...
    message = results["once_after_crash"].message   # ...a redelivery a second later is not
    assert message.startswith("When email crashes after sending but before acknowledging, the customer of")
    assert "got its confirmation " in message and " times; remember the orders you have confirmed" in message


def test_a_plan_without_a_crash_before_the_ack_is_incomplete(learner):
    result = EXERCISE.check("plan_breaks_plain_email", learner("08_idempotent_email", "duplicates_only"))
    assert result.status == "failed"
    assert "never makes email crash between sending and acknowledging" in result.message
    assert 'FailCalls("email", after_work=True, ...)' in result.message


def test_a_plan_that_is_not_a_fault_plan_is_refused():
    result = EXERCISE.check("plan_breaks_plain_email", {"UNKIND": {"duplicates": 2}})
    assert result.status == "failed"
    assert result.message == "`UNKIND` should be a FaultPlan(...), not dict."


ANSWERS = {
    "seed_overfitted": {"once_under_duplicates": verdict("failed", "got its confirmation 2 times",
                                                         "the order id is the idempotency key",
                                                         "(fresh workload: orders=")},
    "hard_coded": {"once_under_duplicates": verdict("failed", "the customer of order-0031 got its confirmation",
                                                    "skip a repeat")},
    "contract_breaking": {"once_after_crash": verdict("failed", "dead-lettered instead of delivered",
                                                      "“ConfirmationSent from email breaks its contract: field "
                                                      "'customer' is missing”",
                                                      "every ConfirmationSent your service publishes must carry")},
    "dead_letter_typo": {"once_after_crash": verdict("failed", "dead-lettered",
                                                     "unknown message type 'ConfirmationSend'",
                                                     "did you mean 'ConfirmationSent'?", "fix the spelling")},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)


def test_the_locked_trace_cell_explains_a_plan_that_repeats_nothing(notebook_namespace, capsys):
    namespace, errors = notebook_namespace("08_idempotent_email", "solutions",
                                           replace={"fault_plan": "UNKIND = FaultPlan()"})
    assert errors == []
    assert "No confirmation went out twice under your plan" in capsys.readouterr().out
