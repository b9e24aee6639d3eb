"""The fault plan (playground.runtime.faults): each fault kind happens exactly as configured, seeded, in every wiring — proven from the trace."""

from types import SimpleNamespace

import pytest

from playground.analysis.invariants import effects_at_most_once
from playground.errors import HorizonExceeded, ScenarioError
from playground.runtime.fault_rules import Delay, Drop, Duplicate, FailCalls, Reorder
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Fixed
from playground.runtime.randomness import Randomness
from playground.scenarios import order_flow

WIRINGS = ["choreography", "orchestration"]


def run(wiring, plan=None, orders=30, seed=5, horizon=None):
    return order_flow(orders=orders, seed=seed, wiring=wiring, faults=plan, horizon=horizon).run()


def faults(result, name):
    return [e for e in result.trace.where(kind="fault") if e.detail["fault"] == name]


def first_send(result, type_):
    return next(e for e in result.trace.entries if e.kind == "send" and e.type == type_ and e.detail["to"])


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_latency_override_replaces_the_default_for_one_service(wiring):
    result = run(wiring, FaultPlan(latency={"payments": Fixed(2.0)}))
    starts = {e.message_id: e.time for e in result.trace.where(kind="start", at="payments")}
    ends = {e.message_id: e.time for e in result.trace.where(kind="end", at="payments")}
    assert ends and {round(ends[m] - starts[m], 9) for m in ends} == {2.0}
    (noted,) = faults(result, "latency")
    assert noted.at == "payments" and noted.detail["distribution"] == "Fixed(seconds=2.0)"


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_crash_loses_the_work_in_hand_and_the_message_returns_after_restart(wiring):
    calm = run(wiring)
    victim = calm.trace.where(kind="start", at="email")[3]
    crash_at, back_at = victim.time + 0.05, victim.time + 20.0  # mid-way through its 0.1 s of work
    result = run(wiring, FaultPlan(crashes={"email": [(crash_at, back_at)]}))
    down, up = [(e.time, e.detail["phase"]) for e in faults(result, "crash") if e.detail["phase"] != "lost-work"]
    assert down == (crash_at, "down") and up == (back_at, "up")
    (lost,) = [e for e in faults(result, "crash") if e.detail["phase"] == "lost-work"]
    assert lost.message_id == victim.message_id
    (again,) = result.trace.where(kind="redeliver", message_id=victim.message_id)
    assert again.detail["after"] == pytest.approx(back_at - lost.time)
    assert not [e for e in result.trace.where(kind="start", at="email") if crash_at < e.time < back_at]
    assert max(e.time for e in result.trace.where(kind="end", message_id=victim.message_id, at="email")) >= back_at
    assert result.counts() == {"completed": 30}


@pytest.mark.parametrize("wiring", WIRINGS)
def test_the_nth_call_fails_and_is_redelivered(wiring):
    result = run(wiring, FaultPlan(failures=[FailCalls("payments", nth=3)], redelivery_delay=2.5))
    third = result.trace.where(kind="start", at="payments")[2]
    (failed,) = faults(result, "fail")
    assert (failed.message_id, failed.detail["call"], failed.detail["when"]) == (third.message_id, 3, "lost")
    (again,) = result.trace.where(kind="redeliver", message_id=third.message_id)
    assert again.detail["after"] == 2.5
    delivered = [e.time for e in result.trace.where(kind="deliver", at="payments", message_id=third.message_id)]
    assert len(delivered) == 2 and delivered[1] >= again.time + 2.5
    charges = [e for e in result.trace.where(kind="effect", at="payments") if e.detail["effect"] == "charge"]
    assert len(charges) == len({e.detail["key"] for e in charges}) == 30


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_failure_after_the_work_makes_a_naive_service_repeat_its_effect(wiring):
    result = run(wiring, FaultPlan(failures=[FailCalls("email", nth=2, after_work=True)]))
    second = result.trace.where(kind="start", at="email")[1]
    (failed,) = faults(result, "fail")
    assert failed.message_id == second.message_id and failed.detail["when"] == "after-work"
    (repeated,) = effects_at_most_once(result)
    assert repeated.correlation_id == second.correlation_id and len(repeated.evidence) == 2


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_fraction_of_calls_fails_on_the_seeded_fault_stream(wiring):
    plan = FaultPlan(failures=[FailCalls("payments", fraction=0.25)])
    result = run(wiring, plan, seed=8)
    calls = len(result.trace.where(kind="start", at="payments"))
    rng = Randomness(8).stream("faults")
    expected = [n for n in range(1, calls + 1) if rng.random() < 0.25]
    assert [e.detail["call"] for e in faults(result, "fail")] == expected and expected
    again = run(wiring, plan, seed=8)  # the same plan object, reused: counters start afresh
    assert again.trace.digest() == result.trace.digest()


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_dropped_message_never_arrives(wiring):
    calm = run(wiring)
    try:
        result = run(wiring, FaultPlan(messages=[Drop(type="PaymentReceived", nth=1)]), horizon=300)
    except HorizonExceeded as stopped:
        # An orchestrator whose step has no timeout waits for the lost reply until the horizon.
        result = SimpleNamespace(trace=stopped.trace)
    sent = first_send(result, "PaymentReceived")
    assert sent.message_id == first_send(calm, "PaymentReceived").message_id
    (dropped,) = faults(result, "drop")
    assert dropped.message_id == sent.message_id and dropped.at == sent.detail["to"][0]
    assert not result.trace.where(kind="deliver", message_id=sent.message_id)


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_duplicated_message_arrives_twice(wiring):
    result = run(wiring, FaultPlan(messages=[Duplicate(type="PaymentReceived", nth=2)]))
    second = [e for e in result.trace.where(kind="send", type="PaymentReceived")][1]
    (dup,) = faults(result, "duplicate")
    assert dup.message_id == second.message_id
    assert len(result.trace.where(kind="deliver", message_id=second.message_id, at=dup.at)) == 2


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_delayed_message_arrives_that_much_later(wiring):
    result = run(wiring, FaultPlan(messages=[Delay(type="PaymentReceived", seconds=30, nth=1)]))
    sent = first_send(result, "PaymentReceived")
    (late,) = faults(result, "delay")
    (arrived,) = result.trace.where(kind="deliver", message_id=sent.message_id)
    assert late.message_id == sent.message_id and late.detail["seconds"] == 30
    assert arrived.time >= sent.time + 30


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_reordered_message_arrives_after_the_next_one(wiring):
    result = run(wiring, FaultPlan(messages=[Reorder(type="PaymentReceived", nth=1, within=60)]))
    (held,) = faults(result, "reorder")
    inbox = held.at
    later = [e for e in result.trace.where(kind="send") if e.seq > held.seq and inbox in e.detail["to"]]
    order = [e.message_id for e in result.trace.where(kind="deliver", at=inbox)]
    assert order.index(later[0].message_id) < order.index(held.message_id)
    assert result.counts() == {"completed": 30}


def test_no_faults_means_the_same_trace_as_no_plan():
    assert run("choreography", FaultPlan()).trace.digest() == run("choreography").trace.digest()


@pytest.mark.parametrize("plan, fragment", [
    (lambda: FaultPlan(messages=[Drop(type="PaymentRecieved")]), "names message type 'PaymentRecieved'"),
    (lambda: FaultPlan(failures=[FailCalls("payment", nth=1)]), "no component called 'payment'"),
    (lambda: FaultPlan(crashes={"email": [(5, 1)]}), "0 <= start < end"),
    (lambda: FaultPlan(messages=[Drop(nth=1, fraction=0.5)]), "not both"),
    (lambda: FaultPlan(messages=[FailCalls("email")]), "messages= takes"),
    (lambda: FaultPlan(messages=[Delay(seconds=-1)]), "greater than 0"),
])
def test_a_bad_plan_gets_one_clear_sentence(plan, fragment):
    with pytest.raises(ScenarioError) as caught:
        run("choreography", plan(), orders=2)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_an_orchestrator_crash_stops_every_order_until_it_restarts():
    from playground.analysis.metrics import availability

    result = run("orchestration", FaultPlan(crashes={"orchestrator": [(5.0, 15.0)]}))
    phases = [(e.time, e.detail["phase"]) for e in faults(result, "crash")]
    assert (5.0, "down") in phases and (15.0, "up") in phases
    taken = [e.time for e in result.trace.where(kind="deliver", at="orchestrator")]
    assert not [t for t in taken if 5.0 <= t < 15.0]
    assert min(t for t in taken if t >= 5.0) == 15.0  # the inbox kept what arrived meanwhile
    (window,) = availability(result, "orchestrator")
    assert window.started > 0 and window.finished == 0  # nothing moves without the conductor
