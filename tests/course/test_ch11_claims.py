"""Chapter 11's claims, checked on the runs the chapter shows (seed 7, thirty shipments, one in five refused)."""

import pytest

from playground.analysis.boundary import arrivals, clearance_times, crossings, heard_by, rejections, waited_during
from playground.orchestration import dashboard
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Uniform
from playground.scenarios.freight import FREIGHT_REACTIONS, customs_saga, freight

HOUR = 3600.0
WATCH = 290_160.0
SHIPMENTS = {"shipments": 30, "seed": 7, "refused": 0.2}
INSIDE = ("orchestrator", "documents", "duties", "agency")
DESKS = ("documents", "duties", "agency")
TRACKING_DOWN, NOTIFICATIONS_DOWN = (44 * HOUR, 56 * HOUR), (62 * HOUR, 74 * HOUR)
FOLLOWERS_DOWN = FaultPlan(outages={"tracking": [TRACKING_DOWN], "notifications": [NOTIFICATIONS_DOWN]})
WIRINGS = ("hybrid", "choreography", "orchestration")
WANT = {"delivered": ["CustomsReleased", "ShipmentDelivered"], "returned": ["CustomsRejected", "ShipmentReturned"]}


@pytest.fixture(scope="module")
def hybrid():
    return freight(**SHIPMENTS, watch=[WATCH]).run()


@pytest.fixture(scope="module")
def runs():
    return {w: freight(**SHIPMENTS, wiring=w, faults=FOLLOWERS_DOWN, watch=[50 * HOUR]).run() for w in WIRINGS}


def _inside(runs, wiring):
    everything = ("orchestrator", *runs["orchestration"].services)
    return {"hybrid": INSIDE, "choreography": DESKS, "orchestration": everything}[wiring]


def _returned(run):
    return sorted(s for s, outcome in run.outcomes.items() if outcome == "returned")


def test_ch11_the_customs_saga_starts_with_the_hold_and_announces_one_of_two_events():
    saga = customs_saga()
    assert str(saga).splitlines()[0] == ("saga 'customs', started by CustomsHoldPlaced, announces completed: "
                                         "CustomsReleased, compensated: CustomsRejected")
    assert saga.boundary()["ends"] == {"completed": "CustomsReleased", "compensated": "CustomsRejected",
                                       "stuck": "SagaStuck"}
    assert not {"documents", "duties", "agency"} & set(FREIGHT_REACTIONS["hybrid"])  # the desks react to nothing


def test_ch11_of_766_messages_60_cross_the_boundary_one_in_and_one_out_per_shipment(hybrid):
    assert hybrid.counts() == {"delivered": 26, "returned": 4}
    assert hybrid.trace.kinds()["send"] == 766
    edge = crossings(hybrid, INSIDE)
    assert dict(edge["in"]) == {"CustomsHoldPlaced": 30}
    assert dict(edge["out"]) == {"CustomsReleased": 26, "CustomsRejected": 4}


def test_ch11_tracking_pages_show_the_milestones_of_a_delivered_and_a_returned_shipment(hybrid):
    pages = hybrid.services["tracking"].pages
    assert pages["shipment-001"] == ["dispatched", "at port", "customs hold", "customs released", "delivered"]
    assert pages[_returned(hybrid)[0]] == ["dispatched", "at port", "customs hold", "customs rejected", "returned"]


def test_ch11_the_dashboard_knows_only_customs_and_one_clearance_was_under_way_at_hour_80_6(hybrid):
    midway = hybrid.extras["snapshots"][WATCH]
    assert len(midway) == 26 and len(midway.in_flight()) == 1
    assert {r["saga"] for r in midway} == {"customs"}
    assert dashboard(hybrid).counts() == {"completed": 26, "compensated": 4}


def test_ch11_a_follower_outage_does_not_hold_up_customs_in_the_hybrid_or_the_choreography(runs):
    for wiring in ("hybrid", "choreography"):
        run = runs[wiring]
        before = max(waited_during(run, 0, TRACKING_DOWN[0]))
        for window, arrived in ((TRACKING_DOWN, 12), (NOTIFICATIONS_DOWN, 3)):
            waits = waited_during(run, *window)
            assert len(waits) == arrived
            assert max(waits) < HOUR and max(waits) <= before + 0.05 * HOUR  # "nothing changed"
    assert round(max(waited_during(runs["hybrid"], 0, TRACKING_DOWN[0])) / HOUR, 1) == 0.9


def test_ch11_the_same_outages_hold_shipments_at_port_for_hours_in_the_big_saga(runs):
    run = runs["orchestration"]
    tracking, notifications = waited_during(run, *TRACKING_DOWN), waited_during(run, *NOTIFICATIONS_DOWN)
    assert round(max(tracking) / HOUR, 1) == 11.5 and round(max(notifications) / HOUR, 1) == 10.7
    assert tracking[0] == max(tracking)  # the first to arrive waited the rest of the outage
    came = sorted(t for t in arrivals(run).values() if TRACKING_DOWN[0] <= t < TRACKING_DOWN[1])
    assert all(t + w > TRACKING_DOWN[1] for t, w in zip(came, tracking))  # a ramp: each waited for tracking
    assert runs["hybrid"].outcomes == runs["choreography"].outcomes == run.outcomes


def test_ch11_at_hour_50_the_big_saga_waits_for_tracking_and_holds_every_shipment_at_sea(runs):
    stuck = runs["orchestration"].extras["snapshots"][50 * HOUR].in_flight()
    assert stuck.counts() == {"voyage": 18, "tell_arrival": 6, "tell_release": 1}
    for row in stuck.where(state="tell_arrival"):
        assert row["step"] == "track_arrival" and row["done"].endswith("voyage, notify_arrival")
    assert len(runs["hybrid"].extras["snapshots"][50 * HOUR].in_flight()) == 0


def test_ch11_a_hybrid_rejection_undoes_its_own_two_steps_and_is_announced_once_after_the_rollback(runs):
    found = rejections(runs["hybrid"], INSIDE)
    assert len(found) == 4
    for r in found:
        assert r.undone == ("duties", "documents") and r.heard_as == "CustomsRejected"
        assert r.heard_at > r.undone_at
    billing = runs["hybrid"].services["billing"]
    assert all(billing.ledger[s]["freight"] > 0 for s in _returned(runs["hybrid"]))  # the freight invoice stands
    told = [m for _, m in runs["hybrid"].services["notifications"].sent]
    assert told.count("customs rejected") == 4


def test_ch11_the_choreography_hears_every_rejection_mid_rollback_and_the_big_saga_undoes_the_voyage(runs):
    chor = rejections(runs["choreography"], DESKS)
    assert {frozenset(r.undone) for r in chor} == {frozenset({"duties", "documents"})}
    assert {r.heard_as for r in chor} == {"AgencyRefused"} and sum(r.heard_before_undone for r in chor) == 4
    orch = rejections(runs["orchestration"], _inside(runs, "orchestration"))
    assert {r.undone for r in orch} == {("duties", "documents", "voyage")}
    assert {r.heard_as for r in orch} == {None}
    assert [m for _, m in runs["orchestration"].services["notifications"].sent].count("customs rejected") == 0
    assert [m for _, m in runs["choreography"].services["notifications"].sent].count("customs rejected") == 4


def test_ch11_billing_on_duties_calculated_invoices_every_rejected_shipment_and_the_end_event_fixes_it(hybrid):
    eager_table = {"ShipmentDispatched": "ChargeFreight", "DutiesCalculated": "ChargeDuties",
                   "ShipmentReturned": "ChargeReturn"}
    eager = freight(**SHIPMENTS, reactions={"billing": eager_table}).run()
    returned = _returned(eager)
    assert len(returned) == 4
    assert all(eager.services["billing"].owed(s) == eager.services["duties"].assessed[s] > 0 for s in returned)
    assert crossings(eager, INSIDE)["out"]["DutiesCalculated"] == 30
    shipment = returned[0]
    assessed = next(e.time for e in eager.trace.where(kind="effect", at="duties", correlation_id=shipment))
    charged = next(e.time for e in eager.trace.where(kind="effect", at="billing", correlation_id=shipment)
                   if e.detail["effect"] == "charge duties")
    assert 0 < charged - assessed < 60  # seconds after
    billing = hybrid.services["billing"]
    assert all(billing.owed(s) == 0.0 for s in _returned(hybrid))
    assert all(billing.owed(s) == hybrid.services["duties"].assessed[s]
               for s, o in hybrid.outcomes.items() if o == "delivered")


def _notify_check(table):
    mine = freight(**SHIPMENTS, reactions={"notifications": table}).run()
    heard = heard_by(mine, "notifications")
    return [s for s, outcome in mine.outcomes.items() if heard.get(s, []) != WANT[outcome]]


def test_ch11_your_turn_the_starter_fails_for_the_returned_shipments_and_the_answer_passes():
    assert len(_notify_check({"CustomsReleased": "NotifyCustomer", "ShipmentDelivered": "NotifyCustomer"})) == 4
    answer = {"CustomsReleased": "NotifyCustomer", "CustomsRejected": "NotifyCustomer",
              "ShipmentDelivered": "NotifyCustomer", "ShipmentReturned": "NotifyCustomer"}
    assert _notify_check(answer) == []
    inside = {**answer, "AgencyCleared": "NotifyCustomer"}
    inside.pop("CustomsReleased")
    assert len(_notify_check(inside)) == 26  # listening inside is seen by the check


def test_ch11_side_by_side_figures(runs):
    per_shipment = {w: round(run.trace.kinds()["send"] / 30, 1) for w, run in runs.items()}
    assert per_shipment == {"hybrid": 25.5, "choreography": 21.3, "orchestration": 39.2}
    held = {w: len(run.extras["snapshots"][50 * HOUR].in_flight()) for w, run in runs.items() if w != "choreography"}
    assert held == {"hybrid": 0, "orchestration": 25} and "snapshots" not in runs["choreography"].extras
    undone = {w: {len(r.undone) for r in rejections(run, _inside(runs, w))} for w, run in runs.items()}
    assert undone == {"hybrid": {2}, "choreography": {2}, "orchestration": {3}}


def test_ch11_exercise_answers_hold():
    down = (44 * HOUR, 56 * HOUR)
    run = freight(**SHIPMENTS, faults=FaultPlan(outages={"orchestrator": [down]})).run()
    recorded = [e for e in run.trace.where(kind="effect", at="tracking") if down[0] <= e.time < down[1]]
    assert any(e.detail["key"].endswith(":at port") for e in recorded)  # followers carry on
    waits = waited_during(run, *down)
    assert waits and max(waits) > 6 * HOUR  # customs waits for its conductor
    chor = freight(shipments=30, seed=7, refused=0.5, wiring="choreography").run()
    assert _returned(chor) and all(chor.services["billing"].owed(s) == 0.0 for s in _returned(chor))
    assert set(clearance_times(chor)) == set(chor.outcomes)


def test_ch11_a_customs_instance_is_held_for_about_half_an_hour(hybrid):
    held = sorted(r["updated"] - r["started"] for r in dashboard(hybrid))
    assert held[-1] < HOUR and 0.25 * HOUR < held[len(held) // 2] < 0.75 * HOUR


def test_ch11_exercise_two_a_slow_agency_fills_the_hybrids_dashboard_not_the_big_sagas_voyages():
    latency = {"agency": Uniform(2 * HOUR, 6 * HOUR)}
    held = {w: freight(**SHIPMENTS, wiring=w, latency=latency, watch=[50 * HOUR]).run().extras["snapshots"][50 * HOUR]
            for w in ("hybrid", "orchestration")}
    assert len(held["hybrid"].in_flight()) > 0  # grew from none with the fast agency
    assert held["orchestration"].in_flight().counts()["voyage"] == 18  # at sea, whatever the agency does
