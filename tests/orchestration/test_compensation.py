"""Every step failing in turn: the completed steps are undone, newest first, once each; one ending."""

from collections import Counter

import pytest

from playground.analysis.invariants import check
from playground.orchestration.saga import Approval
from playground.runtime.latency import Uniform
from playground.scenarios import travel_booking
from playground.scenarios.travel import STEPS

ENDINGS = {"completed", "compensated", "stuck"}


def saga_entries(result, instance, kind):
    return [e for e in result.trace.where(kind=kind, at="orchestrator") if e.detail["instance"] == instance]


def done_in_order(result, instance):
    return [e.detail["step"] for e in saga_entries(result, instance, "step") if e.detail["outcome"] == "done"]


def endings(result, instance):
    return [e.detail["to"] for e in saga_entries(result, instance, "state") if e.detail["to"] in ENDINGS]


@pytest.mark.parametrize("failing", list(STEPS))
def test_a_failing_step_undoes_exactly_the_completed_steps_in_reverse_once_each(failing):
    result = travel_booking(trips=12, seed=8, fail={failing: "always"}).run()
    assert result.counts() == {"compensated": 12}
    order = list(STEPS)
    expected_done = order[:order.index(failing)]
    for trip in result.outcomes:
        assert done_in_order(result, trip) == expected_done
        undone = [e.detail["step"] for e in saga_entries(result, trip, "compensate")]
        assert undone == expected_done[::-1]
        compensated = [e.detail["step"] for e in saga_entries(result, trip, "step") if e.detail["outcome"] == "compensated"]
        assert compensated == undone
        failed = [e.detail["step"] for e in saga_entries(result, trip, "step") if e.detail["outcome"] == "failed"]
        assert failed == [failing]
        assert endings(result, trip) == ["compensated"]
    for name, service in result.services.items():
        if name != "approvers":
            assert service.held() == [], f"{name} still holds reservations"
    assert not any(check(result).values())


def test_without_failures_every_trip_completes_and_nothing_is_undone():
    result = travel_booking(trips=12, seed=8).run()
    assert result.counts() == {"completed": 12}
    assert not result.trace.where(kind="compensate")
    assert all(endings(result, t) == ["completed"] for t in result.outcomes)
    assert all(len(service.held()) == 12 for name, service in result.services.items() if name != "approvers")


def test_parallel_steps_are_undone_in_the_reverse_of_the_order_they_actually_completed():
    # Same latency range for both, so either can finish first; then a person rejects half the trips.
    result = travel_booking(trips=30, seed=2, parallel=True, approval=Approval("manager", timeout=600), approve=0.5,
                            latency={"hotels": Uniform(0.05, 0.4), "cars": Uniform(0.05, 0.4), "approvers": 30}).run()
    compensated = [t for t, o in result.outcomes.items() if o == "compensated"]
    assert compensated
    orders = Counter()
    for trip in compensated:
        done = done_in_order(result, trip)
        undone = [e.detail["step"] for e in saga_entries(result, trip, "compensate")]
        assert undone == done[::-1]
        orders[tuple(done)] += 1
        sends = {e.type: e.time for e in result.trace.where(kind="send", at="orchestrator", correlation_id=trip)}
        assert sends["ReserveHotel"] == sends["ReserveCar"]  # both sent together
    assert len(orders) == 2, "both completion orders should occur with this seed"
    assert not any(check(result).values())


def test_a_failing_compensation_is_retried_until_it_works():
    result = travel_booking(trips=8, seed=3, fail={"car": "always"}, fail_cancel={"flight": "twice"}).run()
    assert result.counts() == {"compensated": 8}
    for trip in result.outcomes:
        retries = [e.detail["attempt"] for e in result.trace.where(kind="retry", correlation_id=trip)]
        assert retries == [2, 3]
        assert [e.detail["step"] for e in saga_entries(result, trip, "compensate")] == ["hotel", "flight"]
    assert result.services["flights"].held() == []
    assert not any(check(result).values())


def test_a_compensation_that_never_works_leaves_the_saga_stuck_with_its_reason():
    result = travel_booking(trips=3, seed=3, fail={"car": "always"}, fail_cancel={"hotel": "always"}).run()
    assert result.counts() == {"stuck": 3}
    rows = result.extras["orchestrator"].table().rows
    assert all(row["reason"] == "could not undo step 'hotel': HotelCancellationFailed" for row in rows)
    assert len(result.services["hotels"].held()) == 3  # a person has to look at these
    stuck = result.trace.where(kind="send", type="SagaStuck")
    assert sorted(e.correlation_id for e in stuck) == sorted(result.outcomes)
