"""Measuring a sub-process's edge: what crosses it, how long customs takes, and when a rejection is heard."""

from playground.analysis.boundary import clearance_times, crossings, heard_by, rejections, waited_during
from playground.scenarios.freight import freight

HYBRID_INSIDE = ("orchestrator", "documents", "duties", "agency")
DESKS = ("documents", "duties", "agency")


def test_in_the_hybrid_one_event_goes_in_and_one_comes_out_per_shipment():
    run = freight(shipments=10, seed=3, refused=0.3).run()
    edge = crossings(run, HYBRID_INSIDE)
    assert dict(edge["in"]) == {"CustomsHoldPlaced": 10}
    assert sum(edge["out"].values()) == 10 and set(edge["out"]) == {"CustomsReleased", "CustomsRejected"}
    assert set(clearance_times(run)) == set(run.outcomes)


def test_a_hybrid_rejection_is_heard_after_its_rollback_and_a_choreographed_one_before():
    hybrid = rejections(freight(shipments=10, seed=3, refused=0.3).run(), HYBRID_INSIDE)
    chor = rejections(freight(shipments=10, seed=3, refused=0.3, wiring="choreography").run(), DESKS)
    assert [r.shipment for r in hybrid] == [r.shipment for r in chor] and hybrid
    for r in hybrid:
        assert r.undone == ("duties", "documents") and r.heard_as == "CustomsRejected"
        assert not r.heard_before_undone and r.heard_at > r.undone_at
    for r in chor:
        assert set(r.undone) == {"duties", "documents"} and r.heard_as == "AgencyRefused"
        assert r.heard_before_undone


def test_waits_during_a_window_and_what_a_follower_heard():
    run = freight(shipments=6, seed=2, refused=0.5).run()
    waits = waited_during(run, 0, float("inf"))
    assert sorted(waits) == sorted(clearance_times(run).values()) and waited_during(run, 0, 1) == []
    heard = heard_by(run, "carrier")
    for shipment, outcome in run.outcomes.items():
        end = "CustomsReleased" if outcome == "delivered" else "CustomsRejected"
        assert heard[shipment] == ["DispatchShipment", "ArriveAtPort", end]
