"""Exercise 12's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise
from playground.grading.exercises.write_the_spec import UNSEEN
from playground.grading.unseen import grading_seed

EXERCISE = exercise("12_write_the_spec")
REFUSED = "load_spec refuses your spec: The spec's"


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("12_write_the_spec", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_says_what_the_spec_lacks(notebook_namespace):
    namespace, errors = notebook_namespace("12_write_the_spec", "exercises")
    assert [type(e) for e in errors] == [NotImplementedError] * 2  # the empty lists are defined before the stubs
    report = EXERCISE.run(namespace)
    assert report.score == 0
    for result in report.results:
        assert result.message.startswith("`SPEC` is still the starter's, with no capabilities and no "
                                         "interactions: replace the `raise NotImplementedError()` stubs"), result.message


def test_the_faults_are_drawn_at_grading_time_and_replayable():
    with grading_seed(1, check="prototype_keeps_the_promises"):
        first = UNSEEN.draw()
    with grading_seed(1, check="prototype_keeps_the_promises"):
        again = UNSEEN.draw()
    with grading_seed(2, check="prototype_keeps_the_promises"):
        other = UNSEEN.draw()
    assert first == again and first != other
    assert all(w["seed"] != 12 and w["lost"] != "check" for w in first + other)


ANSWERS = {
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
    "seed_overfitted": {
        "spec_describes_the_process": PASSES, "guarantees_as_asked": PASSES, "recommendation_is_a_hybrid": PASSES,
        "prototype_keeps_the_promises": verdict("failed", "stock down from", "broke all-or-nothing",
                                                "left reserve in effect",
                                                "can only be taken back if the spec says how to undo it")},
    "hard_coded": {
        "spec_describes_the_process": verdict("failed", "The capability 'pharmacist' takes 600 s a call",
                                              "CAPABILITIES says 3600 s"),
        "guarantees_as_asked": verdict("failed", "The refill's deadline is 14400 s", "within an hour (3600 s)")},
    "contract_breaking": {check.id: verdict("failed", REFUSED, "interactions[0].guarantees must be a list of",
                                            "not 'all-or-nothing'") for check in EXERCISE.checks},
    "dead_letter_typo": {check.id: verdict("failed", REFUSED, "interactions[1].after is 'refil'",
                                           "did you mean 'refill'?") for check in EXERCISE.checks},
    "choreographed_core": {
        "spec_describes_the_process": PASSES,
        "guarantees_as_asked": verdict("failed", "does not name the guarantee 'all-or-nothing'"),
        "recommendation_is_a_hybrid": verdict("failed", "recommends choreographing the refill"),
        "prototype_keeps_the_promises": verdict("failed", "broke deadline", "over its 3600 s deadline",
                                                "only a coordinator with a timer per refill gives up in time")},
    "follower_with_deadline": {
        "guarantees_as_asked": verdict("failed", "The interaction 'text_patient' names 'deadline'",
                                       "leave its guarantees empty"),
        "recommendation_is_a_hybrid": verdict("failed", "recommends orchestrating 'text_patient'")},
    "wrong_end": {
        "spec_describes_the_process": verdict("failed", "the interaction 'tell_doctor' starts when the refill is "
                                                        "cancelled"),
        "guarantees_as_asked": PASSES},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)
