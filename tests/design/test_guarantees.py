from playground.analysis.invariants import check
from playground.design.guarantees import broken_guarantees, guarantee_checks
from playground.design.prototype import prototype
from playground.design.spec import load_spec
from playground.runtime.fault_rules import Drop, Duplicate
from playground.runtime.faults import FaultPlan

SHOP = {"name": "shop", "capabilities": [
    {"name": "orders", "team": "shop", "latency": 0.05}, {"name": "stock", "team": "warehouse", "latency": 0.2},
    {"name": "payments", "team": "money", "latency": 0.4, "fails": 0.2}],
    "interactions": [{"name": "checkout", "trigger": "command",
                      "guarantees": ["all-or-nothing", "ordering", "deadline", "audit"], "deadline": 5, "steps": [
                          {"name": "place", "capability": "orders", "undo": "cancel"},
                          {"name": "reserve", "capability": "stock", "undo": "release"},
                          {"name": "charge", "capability": "payments"}]}]}
OUTAGE = FaultPlan(outages={"payments": [(5, 15)]})


def _broken(spec, wiring, plan, **kw):
    run = prototype(spec, wiring=wiring, instances=30, seed=1, faults=plan, **kw).run()
    return run, {g: v for g, v in broken_guarantees(spec, run).items() if v}


def test_an_outage_breaks_the_deadline_of_the_choreography_and_all_or_nothing_of_the_saga_that_gave_up():
    spec = load_spec(SHOP)
    _, chor = _broken(spec, "choreography", OUTAGE)
    assert set(chor) == {"deadline"}
    assert all("over its 5 s deadline" in v.message for v in chor["deadline"])
    run, orch = _broken(spec, "orchestration", OUTAGE)
    # The saga gave up on the charge in time, then the charge went through when payments came back.
    assert set(orch) == {"all-or-nothing", "ordering"}
    first = orch["all-or-nothing"][0]
    assert first.message.endswith("left charge in effect but not place, reserve; undo what stands or finish the rest.")
    assert {v.correlation_id for v in orch["ordering"]} == {v.correlation_id for v in orch["all-or-nothing"]}


def test_an_undo_for_the_late_step_keeps_all_or_nothing_under_the_same_outage():
    fixed = dict(SHOP, interactions=[dict(SHOP["interactions"][0], steps=[
        *SHOP["interactions"][0]["steps"][:2], {"name": "charge", "capability": "payments", "undo": "refund"}])])
    _, orch = _broken(load_spec(fixed), "orchestration", OUTAGE)
    assert set(orch) <= {"ordering"}  # the late charge still happened, and was refunded


def test_a_lost_event_leaves_a_choreographed_instance_half_done_and_untold():
    spec = load_spec(SHOP)
    _, chor = _broken(spec, "choreography", FaultPlan(messages=[Drop(type="ReserveDone", count=1)]))
    assert set(chor) == {"all-or-nothing", "deadline", "audit"}
    assert chor["audit"][0].message.endswith("recorded no end; every instance must say once how it ended.")
    _, orch = _broken(spec, "orchestration", FaultPlan(messages=[Drop(type="ReserveDone", count=1)]))
    assert orch == {}  # the saga asked again, and the idempotent stock service answered again


def test_a_person_asked_twice_breaks_the_human_decision(specs):
    spec = specs["loan"]
    naive = spec.replace(capabilities=tuple(
        c.__class__(c.name, c.team, c.latency, c.fails, c.human, idempotent=not c.human) for c in spec.capabilities))
    plan = FaultPlan(messages=[Duplicate(type="CheckCreditDone", fraction=0.5)])
    run = prototype(naive, wiring="choreography", instances=10, seed=1, faults=plan).run()
    found = broken_guarantees(naive, run)["human decision"]
    assert found and "a person was asked to decide 'decide' 2 times; ask once per instance." in found[0].message
    calm = prototype(spec, wiring="choreography", instances=10, seed=1, faults=plan).run()
    assert broken_guarantees(spec, calm)["human decision"] == []


def test_the_checks_plug_into_check_under_their_guarantee_names(specs):
    spec = specs["loan"]
    names = [fn.__name__ for fn in guarantee_checks(spec)]
    assert names == ["all_or_nothing", "deadline", "human_decision", "audit"]
    run = prototype(spec, instances=5, seed=2).run()
    found = check(run, invariants=run.extras["invariants"])
    assert {"all-or-nothing", "deadline", "human-decision", "audit"} <= set(found)
