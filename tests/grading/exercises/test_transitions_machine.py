"""Exercise 02's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest
from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py

from playground.grading.exercises import exercise

EXERCISE = exercise("02_transitions_machine")


def _statuses(report):
    return {r.id: r.status for r in report.results}


def _message(report, check_id):
    return next(r.message for r in report.results if r.id == check_id)


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("02_transitions_machine", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stub(notebook_namespace):
    namespace, errors = notebook_namespace("02_transitions_machine", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    assert report.results[0].message == ("`order_machine` still raises NotImplementedError: replace the stub with "
                                         "your code (the TODO above it says what to do).")


def test_giving_up_at_the_first_decline_is_told_to_retry_with_a_condition(learner):
    report = EXERCISE.run(learner("02_transitions_machine", "no_retry"))
    assert _statuses(report)["retries_a_declined_card_once"] == "failed"
    assert "was cancelled after 1 charge(s)" in _message(report, "retries_a_declined_card_once")
    assert "with a condition that counts the declines" in _message(report, "retries_a_declined_card_once")


def test_cancelling_without_voiding_the_invoice_is_caught(learner):
    report = EXERCISE.run(learner("02_transitions_machine", "no_void"))
    assert _statuses(report) == {"completes_every_good_order": "passed", "cancels_a_declined_order": "failed",
                                 "retries_a_declined_card_once": "passed", "triggers_are_events": "passed"}
    assert "its invoice was never voided; send CancelInvoice before CancelOrder" in _message(
        report, "cancels_a_declined_order")


def test_a_missing_reply_transition_is_parked_with_the_state_and_the_fix(learner):
    report = EXERCISE.run(learner("02_transitions_machine", "deaf"))
    assert _statuses(report)["completes_every_good_order"] == "failed"
    message = _message(report, "completes_every_good_order")
    assert message.startswith("a reply was parked: order-")
    assert ("is in state 'shipping', where the machine has no transition for InvoicePaid; add one with source "
            "'shipping'") in message


def test_silencing_every_unexpected_reply_is_refused(learner):
    report = EXERCISE.run(learner("02_transitions_machine", "silenced"))
    assert _statuses(report)["triggers_are_events"] == "failed"
    assert "ignore_invalid_triggers=True" in _message(report, "triggers_are_events")


def test_a_misspelled_trigger_names_the_event_it_meant(learner):
    report = EXERCISE.run(learner("02_transitions_machine", "typo"))
    assert report.score == 0
    assert "'PaymentRecieved' is not an event in the catalog; did you mean 'PaymentReceived'?" in report.results[0].message


# -- the required wrong-answer suite (tests/grading/conftest.py) ------------------------------------------------
RIGHT_WITHOUT_DECLINES = {"completes_every_good_order": PASSES, "triggers_are_events": PASSES}
ANSWERS = {
    # Retries only the orders the notebook's seed declined: on fresh workloads other cards are declined.
    "seed_overfitted": {**RIGHT_WITHOUT_DECLINES, "cancels_a_declined_order": PASSES,
                        "retries_a_declined_card_once": verdict("failed", "was cancelled after 1 charge(s)",
                                                                "fresh workload")},
    # A table for forty orders: the checks always run more, and the callback's IndexError is quoted.
    "hard_coded": {**RIGHT_WITHOUT_DECLINES, **{
        check: verdict("failed", "dead-lettered instead of delivered", "at orchestrator",
                       "failed on PaymentFailed in state 'charging': IndexError", "the code handling it raised")
        for check in ("cancels_a_declined_order", "retries_a_declined_card_once")}},
    # The retry's amount as text: parked where it was sent, with the field and the contract named.
    "contract_breaking": {**RIGHT_WITHOUT_DECLINES, **{
        check: verdict("failed", "ChargePayment from orchestrator breaks its contract",
                       "field 'amount' should be a number, not str",
                       "every ChargePayment your machine publishes must carry the fields its contract declares")
        for check in ("cancels_a_declined_order", "retries_a_declined_card_once")}},
    # A misspelt command: parked with the closest command's name, not blamed on the missing cancellation.
    "dead_letter_typo": {**RIGHT_WITHOUT_DECLINES, **{
        check: verdict("failed", "dead-lettered", "sends 'CancelInvioce', which is not a command in the catalog",
                       "did you mean 'CancelInvoice'?", "fix the spelling")
        for check in ("cancels_a_declined_order", "retries_a_declined_card_once")}},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_get_their_verdict_and_the_reason(name):
    assert_verdicts("02_transitions_machine", name, ANSWERS[name])
