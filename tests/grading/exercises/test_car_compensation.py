"""Exercise 04's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import functools
import runpy

import pytest

from conftest import FIXTURES, PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise

EXERCISE = exercise("04_car_compensation")


@functools.lru_cache(maxsize=None)
def _graded(name):
    """Each wrong answer is graded once; several tests read its report."""
    report = EXERCISE.run(runpy.run_path(str(FIXTURES / "04_car_compensation" / f"{name}.py")))
    return {r.id: r for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("04_car_compensation", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("04_car_compensation", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    results = {r.id: r for r in EXERCISE.run(namespace).results}
    assert sum(r.earned for r in results.values()) == 0
    assert "defines no Step called `CAR_STEP`" in results["car_is_compensated"].message
    for check in ("cancel_is_idempotent", "repeat_still_answers"):
        assert results[check].message.startswith("`IdempotentCars.cancel` still raises NotImplementedError")


def test_a_car_step_without_compensation_leaves_cars_held():
    message = _graded("no_undo")["car_is_compensated"].message
    assert "was turned down after its car was reserved, but the car was never cancelled and stays held" in message
    assert 'Step("car", "ReserveCar", "CancelCar", ...)' in message


def test_a_forgetful_cancellation_releases_twice():
    results = _graded("no_undo")
    message = results["cancel_is_idempotent"].message
    assert "'s car was released " in message and " times when CancelCar reached the car service again" in message
    assert results["repeat_still_answers"].passed


def test_undoing_the_car_with_a_hotel_command_is_refused_in_one_sentence():
    message = _graded("silent_repeat")["car_is_compensated"].message
    assert message == ("Step 'car' of saga 'trip' undoes 'ReserveCar' (cars) with 'CancelHotel', which belongs to "
                       "'hotels'; compensate with a command of the same service.")


def test_a_silent_repeat_leaves_the_saga_stuck():
    results = _graded("silent_repeat")
    assert results["cancel_is_idempotent"].passed
    message = results["repeat_still_answers"].message
    assert "ended stuck instead of compensated" in message
    assert "answer a repeat with CarCancelled" in message


ANSWERS = {
    "seed_overfitted": {"cancel_is_idempotent": verdict("failed", "trip-0011's car was released 2 times",
                                                        "let a repeat release nothing", "(fresh workload: trips=")},
    "hard_coded": {"cancel_is_idempotent": verdict("failed", "trip-0011 was turned down but its car was never released",
                                                   "the first CancelCar must release the car")},
    "contract_breaking": {check: verdict("failed", "dead-lettered instead of delivered",
                                         "“CarCancelled from cars breaks its contract: field 'car' is missing”",
                                         "every CarCancelled your service publishes must carry the fields")
                          for check in ("cancel_is_idempotent", "repeat_still_answers")},
    "dead_letter_typo": {"repeat_still_answers": verdict("failed", "dead-lettered",
                                                         "unknown message type 'CarCanceled'",
                                                         "did you mean 'CarCancelled'?", "fix the spelling")},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_valid_alternative_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)
