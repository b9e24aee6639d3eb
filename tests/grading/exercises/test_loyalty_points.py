"""Exercise 07's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise
from playground.services import Orders

EXERCISE = exercise("07_loyalty_points")


def _statuses(report):
    return {r.id: r.status for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("07_loyalty_points", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("07_loyalty_points", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    for result in report.results:
        assert result.message == ("`Loyalty.__init__` still raises NotImplementedError: replace the stub with your "
                                  "code (the TODO above it says what to do).")


def test_points_at_placement_reward_cancelled_orders(learner):
    report = EXERCISE.run(learner("07_loyalty_points", "eager"))
    # A duplicated OrderPlaced pays twice as well: eager and not idempotent.
    assert _statuses(report) == {"awards_points": "failed", "points_for_completed_orders": "failed",
                                 "points_once_per_order": "failed", "producers_unchanged": "passed"}
    message = report.results[1].message
    assert "was cancelled (its payment was declined) yet earned" in message
    assert "react to OrderCompleted, not OrderPlaced" in message


def test_no_memory_of_rewarded_orders_pays_twice_under_repeats(learner):
    report = EXERCISE.run(learner("07_loyalty_points", "twice"))
    assert report.score == 7
    (failed,) = [r for r in report.results if not r.passed]
    assert failed.id == "points_once_per_order"
    assert "earned points" in failed.message and "times when OrderCompleted reached the loyalty service again" in failed.message
    assert "remember which orders already earned points" in failed.message


def test_a_producer_taught_to_command_the_newcomer_is_caught(learner, monkeypatch):
    monkeypatch.setattr(Orders, "complete", Orders.complete)  # the fixture patches it; put it back afterwards
    report = EXERCISE.run(learner("07_loyalty_points", "producer_changed"))
    result = {r.id: r for r in report.results}["producers_unchanged"]
    assert result.status == "failed"
    assert "the orders service's handler for CompleteOrder is not the one the order flow ships with" in result.message


def test_a_mutated_reaction_table_is_caught(notebook_namespace, monkeypatch):
    from playground.wiring import choreography

    namespace, _ = notebook_namespace("07_loyalty_points", "solutions")
    monkeypatch.setitem(choreography.ORDER_REACTIONS, "email", {"OrderCompleted": "SendConfirmation",
                                                                 "PointsAwarded": "SendConfirmation"})
    result = EXERCISE.check("producers_unchanged", namespace)
    assert result.status == "failed"
    assert "the reaction table of `email` changed" in result.message
    assert "leave ORDER_REACTIONS alone" in result.message


def test_a_renamed_class_is_named_in_the_feedback(learner):
    report = EXERCISE.run(learner("07_loyalty_points", "renamed"))
    assert report.score == 0
    assert {r.status for r in report.results} == {"error"}
    assert "defines no class called `Loyalty` (did you rename it `LoyaltyService`?)" in report.results[0].message
    assert report.text().count("did you rename") == 1  # said once, then "the same reason as above"


def test_an_endless_handler_is_stopped_and_named(learner):
    namespace = learner("07_loyalty_points", "loop")
    namespace["LOYALTY_REACTIONS"] = {"OrderPlaced": "RecordPurchase", "OrderCompleted": "AwardPoints"}
    result = EXERCISE.check("points_for_completed_orders", namespace, limit=0.5)
    assert result.status == "timeout"
    assert result.message == ("Your code did not finish within 0.5 seconds of real time (it was still running "
                              "`Loyalty.record`); look for a loop that never ends or a wait that nothing ever "
                              "satisfies.")


@pytest.mark.parametrize("reactions, fragment", [
    ({"OrderCompleted": "GivePoints"}, "has no @handles('GivePoints') method"),
    ("OrderCompleted", "should be a dict of event → command"),
])
def test_a_broken_reactions_table_gets_one_sentence(notebook_namespace, reactions, fragment):
    namespace, _ = notebook_namespace("07_loyalty_points", "solutions")
    namespace["LOYALTY_REACTIONS"] = reactions
    result = EXERCISE.check("points_for_completed_orders", namespace)
    assert result.status in ("failed", "error")
    assert fragment in result.message and "\n" not in result.message


def test_an_exception_inside_a_handler_is_reported_not_dead_lettered_away(learner):
    report = EXERCISE.run(learner("07_loyalty_points", "crashes"))
    assert report.score == 0
    assert report.results[0].status == "error"
    assert report.results[0].message.startswith("`Loyalty.award` raised KeyError: 'customer-")
    for result in report.results[1:]:
        assert result.status == "failed"
        assert result.message.startswith("`Loyalty.award` raised KeyError: 'customer-")
        assert "while handling AwardPoints for order-" in result.message
        assert "which `LOYALTY_REACTIONS` runs on OrderCompleted (fresh workload: orders=" in result.message


ANSWERS = {
    "seed_overfitted": {"points_for_completed_orders": verdict("failed", "was cancelled (its payment was declined) yet earned",
                                                               "react to OrderCompleted, not OrderPlaced",
                                                               "(fresh workload: orders=")},
    "hard_coded": {"awards_points": verdict("failed", "and 42 points; expected key", "one per whole unit"),
                   "points_for_completed_orders": verdict("failed", "earned 42 points; it should earn")},
    "contract_breaking": {"awards_points": verdict("failed", "breaks its contract (field 'customer' is missing)"),
                          "points_for_completed_orders": verdict(
                              "failed", "dead-lettered instead of delivered",
                              "“PointsAwarded from loyalty breaks its contract: field 'customer' is missing”")},
    "dead_letter_typo": {"points_for_completed_orders": verdict("failed", "dead-lettered",
                                                                "unknown message type 'PointAwarded'",
                                                                "did you mean 'PointsAwarded'?", "fix the spelling")},
    # The causes the old feedback hid behind "note each award with note_effect" or a bare KeyError.
    "wrong_event": {"points_for_completed_orders": verdict("failed", "dead-lettered",
                                                           "“InvoicePaid lacks field 'customer' that AwardPoints needs”",
                                                           "`LOYALTY_REACTIONS`")},
    "swapped_reactions": {"points_for_completed_orders": verdict(
        "failed", "“OrderCompleted lacks field 'amount' that RecordPurchase needs”",
        "check which event runs which command in `LOYALTY_REACTIONS`")},
    "bare_emit": {"awards_points": verdict("error", "returned emit('PointsAwarded', ...)", "return a list of them"),
                  "points_for_completed_orders": verdict("error", "returned emit('PointsAwarded', ...)")},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)
