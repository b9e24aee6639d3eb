"""Exercise 13's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise
from playground.grading.exercises.stale_decisions import truly_stale
from playground.scenarios.stale_copies import consumer_lag, stale_copies

EXERCISE = exercise("13_stale_decisions")


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("13_stale_decisions", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("13_stale_decisions", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    for result in report.results:
        assert "NotImplementedError" in result.message, result.message


def test_the_truth_the_checks_use_finds_stale_decisions_only_under_lag():
    lag = consumer_lag(seconds=30, fraction=0.6)
    assert truly_stale(stale_copies(orders=60, seed=4).run()) == set()
    assert len(truly_stale(stale_copies(orders=60, seed=4, faults=lag).run())) > 3


ANSWERS = {
    "seed_overfitted": {"finds_stale_decisions": verdict("failed", "decisions that are not stale",
                                                         "(fresh workload: orders=")},
    "hard_coded": {"finds_stale_decisions": verdict("failed", "your detector names 4 decisions that are not stale",
                                                    "is stale only when the version it read is older")},
    "contract_breaking": {"no_stale_decisions_under_lag": verdict(
        "failed", "dead-lettered instead of delivered",
        "“CreditCheckRequested from sales breaks its contract: field 'amount' is missing”")},
    "dead_letter_typo": {"no_stale_decisions_under_lag": verdict(
        "failed", "unknown message type 'CreditCheckRequest'", "did you mean 'CreditCheckRequested'?",
        "fix the spelling")},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
    "versions_only": {"finds_stale_decisions": verdict("failed", "your detector misses"),
                      "every_order_decided": PASSES,
                      "no_stale_decisions_under_lag": verdict("failed", "were still decided on an old copy",
                                                              "ask the record (CreditCheckRequested)")},
    "always_asks": {"no_stale_decisions_under_lag": PASSES,
                    "every_order_decided": verdict("failed", "with no lag at all your sales asked the record"),
                    "asks_only_when_behind": verdict("failed", "asking about every order throws the copy away")},
    "declines_when_behind": {"no_stale_decisions_under_lag": verdict("failed", "without sales reading any limit",
                                                                     "self.decide(")},
    "borrowed": {"no_stale_decisions_under_lag": verdict("failed", "built on the chapter's CheckingSales")},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)
