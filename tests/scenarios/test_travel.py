import os
import subprocess
import sys

import pytest

from playground.analysis.invariants import check
from playground.errors import ScenarioError
from playground.orchestration.saga import Approval, Retry, SagaDefinition, Step
from playground.runtime.faults import FaultPlan
from playground.scenarios import travel_booking

DIGEST = ("from playground.scenarios import travel_booking; from playground.orchestration import Retry;"
          "print(travel_booking(trips=60, seed={seed}, fail={{'car': 0.3}}, timeout=0.5, retry=Retry(count=1, jitter=0.5))"
          ".run().trace.digest())")


def test_same_seed_same_trace_and_a_different_seed_another():
    params = dict(trips=60, fail={"car": 0.3}, timeout=0.5, retry=Retry(count=1, jitter=0.5))
    first = travel_booking(seed=4, **params).run().trace.to_jsonl()
    assert first == travel_booking(seed=4, **params).run().trace.to_jsonl()
    assert first != travel_booking(seed=5, **params).run().trace.to_jsonl()


def test_same_seed_same_trace_across_processes_and_hash_seeds():
    env = dict(os.environ)
    digests = set()
    for hashseed in ("1", "999"):
        env["PYTHONHASHSEED"] = hashseed
        out = subprocess.run([sys.executable, "-c", DIGEST.format(seed=6)], env=env, capture_output=True, text=True,
                             check=True)
        digests.add(out.stdout.strip())
    assert digests == {travel_booking(trips=60, seed=6, fail={"car": 0.3}, timeout=0.5,
                                      retry=Retry(count=1, jitter=0.5)).run().trace.digest()}


def test_a_custom_saga_runs_on_the_same_services():
    saga = SagaDefinition("short trip", [Step("flight", "ReserveFlight", "CancelFlight"),
                                         Step("hotel", "ReserveHotel", "CancelHotel")], started_by="BookTrip")
    result = travel_booking(trips=5, seed=1, saga=saga).run()
    assert result.counts() == {"completed": 5}
    assert not result.trace.where(type="ReserveCar")
    assert result.extras["compensable"] == ["flight", "hotel"]


def test_an_orchestrator_outage_delays_but_loses_nothing():
    result = travel_booking(trips=20, seed=2, faults=FaultPlan(outages={"orchestrator": [(5.0, 25.0)]})).run()
    assert result.counts() == {"completed": 20}
    taken = [e.time for e in result.trace.where(kind="deliver", at="orchestrator")]
    assert not [t for t in taken if 5.0 <= t < 25.0]
    assert not any(check(result).values())


def test_summary_and_outcomes_speak_of_trips():
    result = travel_booking(trips=4, seed=1, fail={"flight": "always"}).run()
    assert "4 trips in" in result.summary() and "4 compensated" in result.summary()
    assert result.counts() == {"compensated": 4}
    assert not result.trace.where(kind="compensate")  # nothing had completed


@pytest.mark.parametrize("params, fragment", [
    ({"fail": {"boat": "always"}}, "There is no step called 'boat'"),
    ({"fail": {"hotel": "sometimes"}}, "fail for hotel must be 'never', 'always'"),
    ({"fail_cancel": {"car": 3.5}}, "fail_cancel for car must be"),
    ({"saga": "flight then hotel"}, "saga must be a SagaDefinition"),
    ({"approve": 1.5}, "approve must be a fraction"),
    ({"trips": -1}, "trips must be a whole number"),
    ({"watch": [0]}, "a watch time must be a number greater than 0"),
    ({"faults": FaultPlan(crashes={"orchestrater": [(1, 2)]})}, "no component called 'orchestrater'"),
    ({"wiring": "choreography"}, "has no wiring called 'choreography'"),
])
def test_bad_parameters_get_one_clear_sentence(params, fragment):
    with pytest.raises(ScenarioError) as caught:
        travel_booking(**params).run()
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_a_saga_needing_a_service_the_wiring_does_not_run_is_refused():
    from playground.errors import SagaDefinitionError
    from playground.scenarios.travel import TravelBooking

    class NoCars(TravelBooking):
        def build_services(self, randomness):
            services = super().build_services(randomness)
            del services["cars"]
            return services

    with pytest.raises(SagaDefinitionError, match="sends commands to 'cars', which does not run in this wiring"):
        NoCars(trips=1).run()


def test_approvals_escalate_and_some_trips_are_rolled_back():
    result = travel_booking(trips=30, seed=3, rate=0.01, approval=Approval("manager", timeout=300, escalation=200),
                            approve=0.8).run()
    counts = result.counts()
    assert counts["completed"] > 0 and counts["compensated"] > 0
    assert result.trace.where(kind="send", type="ApprovalEscalated")
    assert not any(check(result).values())
