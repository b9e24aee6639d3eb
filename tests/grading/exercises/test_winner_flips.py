"""Exercise 10's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.analysis.dimensions import flips
from playground.grading.exercises import exercise, winner_flips

EXERCISE = exercise("10_winner_flips")


def _statuses(report):
    return {r.id: r.status for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("10_winner_flips", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stub(notebook_namespace):
    namespace, errors = notebook_namespace("10_winner_flips", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    for result in report.results:
        assert "defines no dict called `CHANGED_WORKLOAD`" in result.message


def test_a_dimension_the_change_does_not_touch_fails_and_says_why(learner):
    report = EXERCISE.run(learner("10_winner_flips", "wrong_dimension"))
    assert _statuses(report) == {"a_real_change": "passed", "flips_on_the_notebook_seed": "failed",
                                 "flips_on_an_unseen_workload": "failed"}
    message = report.results[1].message
    assert "on the notebook's workload (seed 7) the winner of evolution & change stayed 'split'" in message
    assert "predict only what flips" in message


def test_a_change_that_flips_nothing_predicted_fails(learner):
    report = EXERCISE.run(learner("10_winner_flips", "no_flip"))
    assert report.score == 2
    assert "the winner of control & visibility stayed 'orchestration'" in report.results[1].message


def test_an_argument_the_scenario_lacks_is_named(learner):
    report = EXERCISE.run(learner("10_winner_flips", "unknown_argument"))
    assert report.score == 0
    assert "evolving_orders does not take one of the arguments in `CHANGED_WORKLOAD`" in report.results[0].message
    assert "partners" in report.results[0].message


def test_a_dimension_named_loosely_is_refused_with_the_names_to_use(learner):
    report = EXERCISE.run(learner("10_winner_flips", "loose_names"))
    assert report.score == 0
    assert "'error handling' is not one of the five dimensions" in report.results[0].message
    assert "error handling & compensation" in report.results[0].message


def test_the_baselines_own_value_changes_nothing(learner):
    report = EXERCISE.run(learner("10_winner_flips", "unchanged"))
    assert report.score == 0
    assert "changes nothing from the baseline" in report.results[0].message


def test_another_right_answer_earns_every_point(learner):
    assert EXERCISE.run(learner("10_winner_flips", "step_and_consumer")).score == 10


@pytest.mark.parametrize("seed", [11, 123, 9001])
def test_the_solutions_flip_holds_on_other_seeds(seed):
    # The grader draws its seed from the grading seed; the reference answer must not depend on which.
    before = winner_flips.measure({}, seed, ["error handling & compensation"])
    after = winner_flips.measure({"decline_rate": 0.0}, seed, ["error handling & compensation"])
    assert flips(before, after) == {"error handling & compensation": ("orchestration", "tie")}


def test_bad_shapes_are_refused_in_one_sentence():
    base = {"CHANGED_WORKLOAD": {"decline_rate": 0.0}}
    cases = [
        ({**base, "PREDICTED_FLIPS": "error handling & compensation"}, "should be a set of dimension names"),
        ({**base, "PREDICTED_FLIPS": set()}, "is empty; predict at least one dimension"),
        ({"CHANGED_WORKLOAD": {"seed": 3}, "PREDICTED_FLIPS": {"control & visibility"}}, "may not set seed"),
        ({"CHANGED_WORKLOAD": {"orders": 500}, "PREDICTED_FLIPS": {"control & visibility"}}, "keep orders at most 60"),
        ({"CHANGED_WORKLOAD": {"followers": ("sms",)}, "PREDICTED_FLIPS": {"control & visibility"}},
         "evolving_orders refused `CHANGED_WORKLOAD`: There is no follower called 'sms'"),
        ({"CHANGED_WORKLOAD": {"decline_rate": 0.0}}, "defines no set called `PREDICTED_FLIPS`"),
    ]
    for namespace, expected in cases:
        result = EXERCISE.check("a_real_change", namespace)
        assert result.status in ("failed", "error") and expected in result.message, (expected, result.message)


# -- the required wrong-answer suite (tests/grading/conftest.py) ------------------------------------------------
def _everywhere(*says):
    return {check.id: verdict("failed", *says) for check in EXERCISE.checks}


ANSWERS = {
    # Every flip seed 7 printed, predicted: the scalability row changes hands on that seed only.
    "seed_overfitted": {"a_real_change": PASSES, "flips_on_the_notebook_seed": PASSES,
                        "flips_on_an_unseen_workload": verdict("failed", "on a workload drawn while grading",
                                                               "the winner of scalability & resilience stayed",
                                                               "its flip depends on the seed")},
    # The baseline's numbers and the defaults written out: the same scenario, so no change at all.
    "hard_coded": _everywhere("builds the same scenario as the baseline", "change at least one argument"),
    # A PaymentFailed without its reason: dead-lettered at payments, quoted, before any scorecard is trusted.
    "contract_breaking": _everywhere("dead-lettered instead of delivered, the first at payments",
                                     "PaymentFailed from payments breaks its contract: field 'reason' is missing",
                                     "every PaymentFailed your CautiousPayments publishes must carry the fields"),
    # A misspelt event name: parked with the closest name, not blamed on a winner that did not flip.
    "dead_letter_typo": _everywhere("dead-lettered", "unknown message type 'PaymentFailled'",
                                    "did you mean 'PaymentFailed'?", "fix the spelling"),
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_get_their_verdict_and_the_reason(name):
    assert_verdicts("10_winner_flips", name, ANSWERS[name])
