"""Exercise 03's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import functools
import runpy

import pytest

from conftest import FIXTURES, PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise
from playground.orchestration import Step

EXERCISE = exercise("03_invoice_incident")


def _by_id(report):
    return {r.id: r for r in report.results}


@functools.lru_cache(maxsize=None)
def _graded(name):
    """Each wrong answer is graded once; several tests read its report."""
    return _by_id(EXERCISE.run(runpy.run_path(str(FIXTURES / "03_invoice_incident" / f"{name}.py"))))


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("03_invoice_incident", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_names_what_is_missing(notebook_namespace):
    namespace, errors = notebook_namespace("03_invoice_incident", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    results = _by_id(EXERCISE.run(namespace))
    assert sum(r.earned for r in results.values()) == 0
    assert "defines no Step called `PAYMENT_STEP`" in results["payment_step_fix"].message
    assert "defines no dict called `SAFETY_NET`" in results["safety_net_refunds"].message


def test_a_longer_timeout_only_moves_the_problem():
    results = _graded("longer_timeout")
    message = results["payment_step_fix"].message
    assert "kept" in message and "its payment landed after your payment step had given up" in message
    assert "a longer timeout only moves the problem — here the slowest payments took" in message
    assert "(fresh workload: orders=" in message
    assert results["payment_step_keeps_quick_orders"].passed


def test_a_safety_net_on_the_wrong_service_refunds_nothing():
    message = _graded("longer_timeout")["safety_net_refunds"].message
    assert message.startswith("with your safety net, order-")
    assert "make payments refund it" in message


def test_a_hair_trigger_timeout_cancels_quick_orders():
    results = _graded("refund_everything")
    assert results["payment_step_fix"].passed  # no anomaly left...
    message = results["payment_step_keeps_quick_orders"].message  # ...because nothing completes
    assert "ended cancelled although every payment took 0.3 s (" in message
    assert "give the payment step a timeout a quick payment can meet, or none" in message


def test_a_net_that_refunds_everything_is_caught():
    message = _graded("refund_everything")["safety_net_refunds"].message
    assert "completed and shipped, yet its payment was refunded" in message


def test_retrying_at_once_still_strands_payments(learner):
    result = EXERCISE.check("payment_step_fix", learner("03_invoice_incident", "retry_at_once"))
    assert result.status == "failed"
    assert "its payment landed after your payment step had given up" in result.message
    assert "21 attempts wait 105 s at most, and a limited number of attempts only moves the problem" in result.message


ANSWERS = {
    "seed_overfitted": {"payment_step_fix": verdict("failed", "its payment landed after your payment step had given up",
                                                    "a longer timeout only moves the problem",
                                                    "(fresh workload: orders=")},
    "hard_coded": {"payment_step_fix": verdict("failed", "2 attempts wait 15 s at most",
                                               "a limited number of attempts only moves the problem",
                                               "slowest payment=")},
    "contract_breaking": {"safety_net_refunds": verdict("failed", "dead-lettered instead of delivered",
                                                        "“InvoiceNotFound lacks field 'amount' that ChargePayment needs”",
                                                        "check which event runs which command in `SAFETY_NET`")},
    "dead_letter_typo": {"safety_net_refunds": verdict("failed", "dead-lettered", "'RefundPaymnet'",
                                                       "did you mean 'RefundPayment'?", "fix the spelling")},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)


def test_a_payment_step_that_is_not_a_step_is_named_without_its_insides():
    result = EXERCISE.check("payment_step_fix", {"PAYMENT_STEP": Step("payment", "RefundPayment")})
    assert result.status == "failed"
    assert result.message == ("`PAYMENT_STEP` sends 'RefundPayment'; the payment step's action is \"ChargePayment\": "
                              "Step(\"payment\", \"ChargePayment\", \"RefundPayment\", ...).")
