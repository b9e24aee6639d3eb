"""The freight scenario: three wirings of the same services, the same shipments refused in each."""

import pytest

from playground.analysis.invariants import check
from playground.analysis.stuck import stuck
from playground.errors import ScenarioError
from playground.runtime.faults import FaultPlan
from playground.scenarios.freight import HYBRID_REACTIONS, customs_saga, freight

WIRINGS = ("hybrid", "choreography", "orchestration")


@pytest.fixture(scope="module")
def runs():
    return {w: freight(shipments=12, seed=4, refused=0.3, wiring=w).run() for w in WIRINGS}


def test_every_wiring_delivers_and_returns_the_same_shipments(runs):
    outcomes = {w: run.outcomes for w, run in runs.items()}
    assert outcomes["hybrid"] == outcomes["choreography"] == outcomes["orchestration"]
    assert set(outcomes["hybrid"].values()) == {"delivered", "returned"}
    for run in runs.values():
        assert run.dead_letters == []
        found = check(run, "one-terminal-state", "effects-at-most-once")
        assert found == {"one-terminal-state": [], "effects-at-most-once": []}


def test_the_same_seed_gives_the_same_trace():
    first, again = (freight(shipments=6, seed=9, refused=0.3).run() for _ in range(2))
    assert first.trace.digest() == again.trace.digest()


def test_a_refused_shipment_leaves_no_declaration_and_no_duty_behind(runs):
    for run in runs.values():
        returned = {s for s, o in run.outcomes.items() if o == "returned"}
        assert run.services["documents"].lodged() == sorted(set(run.outcomes) - returned)
        assert returned <= run.services["duties"].voided


def test_the_hybrid_tells_every_follower_about_every_milestone_and_bills_duties_once_released(runs):
    run = runs["hybrid"]
    for shipment, outcome in run.outcomes.items():
        page = run.services["tracking"].pages[shipment]
        ending = ["customs released", "delivered"] if outcome == "delivered" else ["customs rejected", "returned"]
        assert page == ["dispatched", "at port", "customs hold", *ending]
        assert run.services["billing"].owed(shipment) == (
            run.services["duties"].assessed[shipment] if outcome == "delivered" else 0.0)


def test_an_outage_of_tracking_holds_up_customs_only_when_tracking_is_a_step():
    down = FaultPlan(outages={"tracking": [(50_000, 250_000)]})
    ended = {w: max(e.time for e in freight(shipments=6, seed=2, wiring=w, faults=down).run().trace.where(
        kind="send", type="AgencyCleared")) for w in WIRINGS}
    assert ended["hybrid"] == ended["choreography"] < 250_000 < ended["orchestration"]


def test_an_arrival_reported_before_the_saga_waits_for_it_is_parked_with_the_reason():
    run = freight(shipments=2, seed=2, wiring="orchestration",
                  faults=FaultPlan(outages={"tracking": [(0, 400_000)]}), horizon=500_000)
    result = run.run()  # the voyage step then waits for ever; nothing can move it, so the run ends
    letters = [e for e in result.trace.where(kind="dead_letter") if e.type == "ShipmentAtPort"]
    assert letters and "came before step 'voyage' was waiting for it" in letters[0].detail["reason"]
    reasons = stuck(result)
    assert set(reasons) == set(result.outcomes) and all("came before step 'voyage'" in r for r in reasons.values())


def test_wrong_parameters_are_refused_in_one_sentence():
    with pytest.raises(ScenarioError, match="There is no service called 'billings'"):
        freight(reactions={"billings": {}})
    with pytest.raises(ScenarioError, match="The reactions of billing must map an event to a command"):
        freight(reactions={"billing": ["ChargeDuties"]})
    with pytest.raises(ScenarioError, match="the choreography wiring has none"):
        freight(wiring="choreography", saga=customs_saga())
    with pytest.raises(ScenarioError, match="the voyage cannot be negative"):
        freight(voyage=-1)
    with pytest.raises(ScenarioError, match="The freight has no wiring called 'mixed'"):
        freight(wiring="mixed")
    assert "documents" not in HYBRID_REACTIONS  # the saga commands the desks; they react to nothing
