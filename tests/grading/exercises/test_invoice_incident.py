"""Exercise 03's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import functools
import runpy

from conftest import FIXTURES  # tests/grading/conftest.py
from playground.grading.exercises import exercise

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
