"""Chapter 00's claims (two ways to dance), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

from pathlib import Path

import pytest

from playground.analysis.compare import side_by_side
from playground.analysis.invariants import check
from playground.analysis.metrics import end_to_end
from playground.runtime.faults import FaultPlan

CH00 = {"orders": 100, "seed": 7, "decline_rate": 0.05}
CH00_CRASH = (50, 80)


@pytest.fixture(scope="module")
def ch00_runs(tmp_path_factory):
    from playground.scenarios import order_flow

    crash = FaultPlan(crashes={"orchestrator": [CH00_CRASH]})
    return {
        "troupe": order_flow(**CH00).run(),
        "conductor": order_flow(**CH00, wiring="orchestration").run(),
        "forgetful": order_flow(**CH00, wiring="orchestration", faults=crash).run(),
        "durable": order_flow(**CH00, wiring="orchestration", faults=crash,
                              store=Path(tmp_path_factory.mktemp("ch00")) / "orders.db").run(),
    }


def test_ch00_about_one_card_in_twenty_is_declined_and_those_orders_end_cancelled(ch00_runs):
    troupe = ch00_runs["troupe"]
    counts = troupe.counts()
    assert set(counts) == {"completed", "cancelled"} and 2 <= counts["cancelled"] <= 10
    declined = {e.correlation_id for e in troupe.trace.where(kind="send", type="PaymentFailed")}
    assert declined == {o for o, end in troupe.outcomes.items() if end == "cancelled"}


def test_ch00_a_malformed_order_is_dead_lettered_at_orders_and_the_others_all_end():
    from playground.scenarios import order_flow

    broken = order_flow(**CH00, malformed=1).run()
    (letter,) = broken.dead_letters
    assert letter.at == "orders" and "field 'amount' should be a number" in letter.reason
    assert broken.counts()["dead-lettered"] == 1
    assert broken.counts()["completed"] + broken.counts()["cancelled"] == 99


def test_ch00_slow_payments_make_orders_wait_only_in_front_of_payments_and_faster_ones_drain():
    from playground.runtime.latency import Uniform
    from playground.scenarios import order_flow

    slow = order_flow(**CH00, latency={"payments": Uniform(0.9, 1.5)}).run()
    fast = order_flow(**CH00, latency={"payments": Uniform(0.3, 0.7)}).run()
    assert set(slow.counts()) == set(fast.counts()) == {"completed", "cancelled"}  # every order still ends
    story = slow.trace.story("order-0100", kinds=("send", "start"))
    sent = {e.message_id: e.time for e in story if e.kind == "send"}
    waits = {e.at: e.time - sent[e.message_id] for e in story if e.kind == "start"}
    assert waits["payments"] > 10 and all(w == 0 for at, w in waits.items() if at != "payments")
    assert max(end_to_end(slow).values()) > 10 * max(end_to_end(fast).values())


def test_ch00_both_wirings_end_every_order_the_same_way_and_completed_ones_in_the_same_time(ch00_runs):
    troupe, conductor = ch00_runs["troupe"], ch00_runs["conductor"]
    assert conductor.outcomes == troupe.outcomes
    took, took_conducted = end_to_end(troupe), end_to_end(conductor)
    completed = [o for o, end in troupe.outcomes.items() if end == "completed"]
    # "the same time": to within a few milliseconds (queues interleave a little differently)
    assert [took_conducted[o] for o in completed] == pytest.approx([took[o] for o in completed], abs=0.005)
    # a cancelled order is undone one step at a time when orchestrated, all at once when choreographed
    cancelled = [o for o, end in troupe.outcomes.items() if end == "cancelled"]
    assert all(took_conducted[o] > took[o] + 0.01 for o in cancelled)
    table = side_by_side({"choreography": troupe, "orchestration": conductor})
    for measure in ("median latency (s)", "99th percentile latency (s)"):
        assert table.value(measure, "choreography") == pytest.approx(table.value(measure, "orchestration"), abs=0.005)
    assert all(table.value(name, label) == 0 for name in check(troupe) for label in table.labels)


def test_ch00_the_orchestration_sends_roughly_twice_the_messages(ch00_runs):
    ratio = ch00_runs["conductor"].trace.kinds()["send"] / ch00_runs["troupe"].trace.kinds()["send"]
    assert 1.7 < ratio < 2.1


def test_ch00_in_the_orchestration_every_service_answers_the_orchestrator_and_only_it_sends_commands(ch00_runs):
    sends = ch00_runs["conductor"].trace.story("order-0001", kinds=("send",))
    replies = [e for e in sends[1:] if e.at != "orchestrator"]  # after the customer's PlaceOrder
    commands = [e for e in sends if e.at == "orchestrator" and e.type != "SagaCompleted"]
    assert replies and all(e.detail["to"] == ["orchestrator"] for e in replies)
    # each command is caused by the reply before it: the orchestrator decides every next step
    assert [c.causation_id for c in commands] == [r.message_id for r in replies[:len(commands)]]
    assert len(commands) == len(replies) - 1 and sends[-1].type == "SagaCompleted"


def test_ch00_a_conductor_crash_with_memory_strands_charged_orders_that_never_end(ch00_runs):
    forgetful = ch00_runs["forgetful"]
    lost = {o for o, end in forgetful.outcomes.items() if end not in ("completed", "cancelled")}
    found = check(forgetful)
    assert lost and {v.correlation_id for v in found["paid-without-invoice"]} == lost
    assert {v.correlation_id for v in found["one-terminal-state"]} == lost
    assert all("has no record of" in d.reason for d in forgetful.dead_letters)
    phases = {e.detail["phase"]: e.detail for e in forgetful.trace.where(kind="fault", at="orchestrator")}
    assert phases["lost-memory"]["instances"] >= len(lost) and phases["resumed"]["instances"] == 0
    ends = [e.time for e in forgetful.trace.where(kind="send", type="OrderCompleted")]
    assert not [t for t in ends if CH00_CRASH[0] < t < CH00_CRASH[1]]  # nothing completes while it is down


def test_ch00_a_sqlite_store_loses_nothing_and_only_the_naive_email_repeats_itself(ch00_runs):
    durable, troupe = ch00_runs["durable"], ch00_runs["troupe"]
    assert durable.outcomes == troupe.outcomes
    found = check(durable)
    assert {name: len(v) for name, v in found.items() if name != "effects-at-most-once"} == {
        "one-terminal-state": 0, "paid-without-invoice": 0, "compensations-mirror-forward-steps": 0,
        "money-conserved": 0}
    assert found["effects-at-most-once"] and all("email did 'email'" in str(v) for v in found["effects-at-most-once"])
    phases = {e.detail["phase"]: e.detail for e in durable.trace.where(kind="fault", at="orchestrator")}
    assert phases["resumed"]["instances"] == phases["lost-memory"]["instances"] > 0
    resent = {e.correlation_id for e in durable.trace.where(kind="retry", type="ChargePayment")}
    charges = [e for e in durable.trace.where(kind="effect") if e.detail["effect"] == "charge" and e.detail["key"] in resent]
    assert resent and len(charges) == len(resent)  # payments was asked again and charged once
    assert durable.dead_letters and all("repeats a reply" in d.reason for d in durable.dead_letters)
    ends = [e.time for e in durable.trace.where(kind="send", type="OrderCompleted")]
    assert not [t for t in ends if CH00_CRASH[0] < t < CH00_CRASH[1]]
