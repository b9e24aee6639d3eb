"""Chapter 14's claims: every figure the conclusion quotes, recomputed from the scenarios the earlier chapters run."""

import pytest

from playground import (
    DIMENSIONS,
    ChangeRequest,
    Duplicate,
    FaultPlan,
    compare,
    compensations_mirror_forward_steps,
    crossings,
    data_pipeline,
    event_spaghetti,
    evolving_orders,
    footprint,
    freight,
    growing_orchestrator,
    invoice_incident,
    messages_per_transaction,
    paid_without_invoice,
    rejections,
    saga_size,
    scorecard,
    travel_booking,
    waited_during,
)

D1, D2, D3, D4, D5 = DIMENSIONS
HOUR = 3600.0
WINDOW = (44 * HOUR, 56 * HOUR)
INSIDE = ("orchestrator", "documents", "duties", "agency")


@pytest.fixture(scope="module")
def card():
    changes = [
        ChangeRequest("push notifications", "push", {"followers": ("confirm", "push")}, kind="consumer"),
        ChangeRequest("fraud screening before payment", "screening", {"screening": True}, kind="step"),
        ChangeRequest("retire confirmation emails", "email", {"followers": ()}),
    ]
    duplicated = {"duplicated OrderPlaced": FaultPlan(messages=[Duplicate(type="OrderPlaced", fraction=0.3)])}
    return scorecard(evolving_orders, seed=7, workload={"orders": 40, "decline_rate": 0.1}, faults=duplicated,
                     changes=changes, dimensions=(D1, D2, D3, D5))


def values(card, dimension, figure):
    return tuple(round(card.value(dimension, figure, w), 2) for w in ("orchestration", "choreography"))


def test_ch14_three_recomputed_rows_agree_with_the_article_and_evolution_is_split(card):
    assert [(d, measured, agree) for d, _, measured, agree in card.verdicts()] == [
        (D1, "orchestration", True), (D2, "choreography", True), (D3, "orchestration", True), (D5, "split", False)]
    # a consumer costs less choreographed, a step in the middle costs more definitions there
    assert values(card, D5, "definitions touched to add a consumer") == (4, 3)
    assert values(card, D5, "teams involved to add a consumer") == (2, 1)
    assert values(card, D5, "definitions touched to add a step") == (4, 5)


def test_ch14_one_record_against_7_55_from_5_55_three_teams_against_one_and_0_against_8_broken_promises(card):
    assert values(card, D1, "records read per question") == (1, 7.55)
    assert values(card, D1, "components consulted per question") == (1, 5.55)
    assert values(card, D2, "other teams involved (3 changes)") == (3, 1)
    assert values(card, D3, "invariant violations (1 fault)") == (0, 8)
    # both wirings undo alike: the difference is the refused second instance, not the rollback
    assert values(card, D3, "compensating actions run (1 fault)") == (18, 18)


def test_ch14_a_5s_deadline_leaves_25_of_200_paid_without_invoice_and_costs_half_as_many_messages_again():
    incident = invoice_incident(orders=200, seed=7).run()
    reacting = invoice_incident(orders=200, seed=7, wiring="choreography").run()
    assert (len(paid_without_invoice(incident)), len(paid_without_invoice(reacting))) == (25, 0)
    assert (incident.trace.kinds()["send"], reacting.trace.kinds()["send"]) == (2400, 1600)


def test_ch14_every_one_of_20_trips_undoes_hotel_then_flight_once():
    trips = travel_booking(trips=20, seed=4, fail={"car": "always"}).run()
    assert trips.counts() == {"compensated": 20}
    for trip in trips.outcomes:
        assert [e.detail["step"] for e in trips.trace.where(kind="compensate", correlation_id=trip)] == ["hotel", "flight"]
    assert compensations_mirror_forward_steps(trips) == []


def test_ch14_three_changes_need_the_orchestrators_team_and_three_follow_ups_grow_the_saga_6_to_9_steps_4_to_7_teams():
    plan = [("crm", ("warehouse", "search"), ("warehouse", "search", "crm")),
            ("marketing", ("warehouse", "search", "crm"), ("warehouse", "search", "crm", "marketing")),
            ("search", ("warehouse", "search", "crm", "marketing"), ("warehouse", "crm", "marketing"))]
    needed = {}
    for wiring in ("orchestration", "choreography"):
        changes = [compare(footprint(data_pipeline(destinations=old, wiring=wiring)),
                           footprint(data_pipeline(destinations=new, wiring=wiring)), requested_by=team)
                   for team, old, new in plan]
        needed[wiring] = [change.foreign_owners() for change in changes]
    assert needed == {"orchestration": [["orchestrator"]] * 3, "choreography": [[]] * 3}
    core = saga_size(*growing_orchestrator().definitions()["sagas"])
    grown = saga_size(*growing_orchestrator(extras=("confirm", "push", "report")).definitions()["sagas"])
    assert (core.steps, grown.steps, core.states, grown.states, len(core.teams), len(grown.teams)) == (6, 9, 11, 14, 4, 7)


def test_ch14_ungoverned_growth_8_to_51_messages_governed_9():
    shapes = [set(messages_per_transaction(event_spaghetti(orders=20, seed=9, teams=teams, style=style).run()).values())
              for teams, style in ((0, "ungoverned"), (5, "ungoverned"), (5, "governed"))]
    assert shapes == [{8}, {51}, {9}]


@pytest.fixture(scope="module")
def freight_runs():
    followers_down = FaultPlan(outages={"tracking": [WINDOW], "notifications": [(62 * HOUR, 74 * HOUR)]})
    return {wiring: freight(shipments=30, seed=7, refused=0.2, wiring=wiring, faults=followers_down).run()
            for wiring in ("hybrid", "choreography", "orchestration")}


def test_ch14_the_hybrid_waits_0_7_h_against_11_5_and_announces_no_rejection_before_its_rollback(freight_runs):
    inside = {"hybrid": INSIDE, "choreography": INSIDE[1:],
              "orchestration": ("orchestrator", *freight_runs["hybrid"].services)}
    waited, early = {}, {}
    for wiring, run in freight_runs.items():
        assert run.counts() == {"delivered": 26, "returned": 4}  # every shipment ends the same way
        waits = waited_during(run, *WINDOW) + waited_during(run, 62 * HOUR, 74 * HOUR)
        waited[wiring] = round(max(waits) / HOUR, 1)
        early[wiring] = sum(r.heard_before_undone for r in rejections(run, inside[wiring]))
    assert waited == {"hybrid": 0.7, "choreography": 0.7, "orchestration": 11.5}
    assert early == {"hybrid": 0, "choreography": 4, "orchestration": 0}
    edge = crossings(freight_runs["hybrid"], INSIDE)
    assert sum(edge["in"].values()) + sum(edge["out"].values()) == 60
    assert freight_runs["hybrid"].trace.kinds()["send"] == 766


@pytest.mark.parametrize("culprit, longest", [("tracking", (0.0, 2.0)), ("billing", (0.0, 2.0)),
                                              ("orchestrator", (11.0, 12.0)), ("port", (11.0, 12.0)),
                                              ("documents", (11.0, 12.0)), ("duties", (11.0, 12.0)),
                                              ("agency", (11.0, 12.0))])
def test_ch14_your_turn_only_a_component_on_the_path_to_release_holds_shipments_at_port(culprit, longest):
    run = freight(shipments=30, seed=7, refused=0.2, faults=FaultPlan(outages={culprit: [WINDOW]})).run()
    waits = waited_during(run, *WINDOW)
    assert len(waits) == 12 and longest[0] <= max(waits) / HOUR <= longest[1]


def test_ch14_your_turn_the_carrier_is_a_trap_nothing_reaches_port_while_it_is_down():
    run = freight(shipments=30, seed=7, refused=0.2, faults=FaultPlan(outages={"carrier": [WINDOW]})).run()
    assert waited_during(run, *WINDOW) == [] and run.counts() == {"delivered": 26, "returned": 4}


def test_ch14_exercise_1_with_half_refused_the_hybrid_announces_none_early_the_choreography_all():
    found = {wiring: rejections(freight(shipments=30, seed=7, refused=0.5, wiring=wiring).run(), inside)
             for wiring, inside in (("hybrid", INSIDE), ("choreography", INSIDE[1:]))}
    assert len(found["hybrid"]) == len(found["choreography"]) == 15
    assert sum(r.heard_before_undone for r in found["hybrid"]) == 0
    assert sum(r.heard_before_undone for r in found["choreography"]) == len(found["choreography"])


def test_ch14_trace_the_hold_waits_in_the_orchestrators_inbox_while_the_followers_have_it_at_once():
    down = freight(shipments=30, seed=7, refused=0.2, faults=FaultPlan(outages={"orchestrator": [WINDOW]})).run()
    hold = next(e for e in down.trace.where(kind="send", type="CustomsHoldPlaced") if e.time >= WINDOW[0])
    assert sorted(hold.detail["to"]) == ["notifications", "orchestrator", "tracking"]
    taken = {e.at: e.time for e in down.trace.where(kind="deliver", message_id=hold.message_id)}
    assert taken["orchestrator"] == WINDOW[1]
    assert all(taken[f] - hold.time < 10 for f in ("tracking", "notifications"))
    (validate,) = down.trace.where(kind="send", type="ValidateDocuments", correlation_id=hold.correlation_id)
    assert validate.time == WINDOW[1]
    assert down.counts() == {"delivered": 26, "returned": 4}
