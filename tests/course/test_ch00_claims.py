"""Chapter 00's claims (two ways to dance), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import json
from pathlib import Path

import pytest

from playground.analysis.compare import side_by_side
from playground.analysis.invariants import check
from playground.analysis.metrics import end_to_end
from playground.runtime.faults import FaultPlan

CH00 = {"orders": 100, "seed": 7, "decline_rate": 0.05}
CH00_WINDOW = (50, 80)
CHAPTER = Path(__file__).resolve().parents[2] / "course" / "00_two_ways_to_dance.ipynb"


@pytest.fixture(scope="module")
def ch00_runs():
    from playground.scenarios import order_flow

    return {
        "troupe": order_flow(**CH00).run(),
        "conductor": order_flow(**CH00, wiring="orchestration").run(),
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


def test_ch00_names_the_article_the_course_follows():
    first = "".join(json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"][0]["source"])
    assert "*The Conductor and the Dance Troupe*" in first and "further_reading.md" in first


def test_ch00_order_saga_mirrors_the_choreography_and_is_not_ordered_as_a_saga(ch00_runs):
    from playground.flows.orders import ORDER_REACTIONS, ORDER_SAGA
    from playground.orchestration.structure import saga_structure

    shape = saga_structure(ORDER_SAGA)
    assert (shape.pivot, shape.after) == ("settle", ["ship", "complete", "confirm"])
    assert any("'ship' has an undo" in p for p in shape.problems)
    assert sum("without a retry policy" in p for p in shape.problems) == 3
    # it mirrors the choreography: each step's command is what the previous step's reply triggers there
    triggered = {command for table in ORDER_REACTIONS.values() for command in table.values()}
    assert [ORDER_SAGA.steps[s].action for s in ORDER_SAGA.stage_names[1:]] == [
        c for c in ("CreateInvoice", "ChargePayment", "MarkInvoicePaid", "ShipOrder", "CompleteOrder",
                    "SendConfirmation") if c in triggered]


def test_ch00_the_well_ordered_saga_has_its_pivot_at_the_payment_and_gives_the_same_trace(ch00_runs):
    from playground.orchestration.saga import Retry, SagaDefinition, Step
    from playground.orchestration.structure import saga_structure
    from playground.scenarios import order_flow

    again = Retry(count=5, backoff=1.0)
    ordered = SagaDefinition("order", [
        Step("order", "PlaceOrder", "CancelOrder"), Step("invoice", "CreateInvoice", "CancelInvoice"),
        Step("payment", "ChargePayment", compensation_required=False),
        *[Step(n, c, compensation_required=False, retry=again) for n, c in (
            ("settle", "MarkInvoicePaid"), ("ship", "ShipOrder"), ("complete", "CompleteOrder"),
            ("confirm", "SendConfirmation"))]], started_by="OrderPlaced")
    shape = saga_structure(ordered)
    assert (shape.compensatable, shape.pivot, shape.problems) == (["order", "invoice"], "payment", [])
    reordered = order_flow(**CH00, wiring="orchestration", saga=ordered).run()
    assert reordered.trace.digest() == ch00_runs["conductor"].trace.digest()
    # why the two agree: nothing after the payment ever fails here, so no rollback passes the pivot
    conductor = ch00_runs["conductor"]
    undone = {e.detail["step"] for e in conductor.trace.where(kind="compensate")}
    assert undone <= {"order", "invoice"}
    assert not [e for e in conductor.trace.where(kind="step") if e.detail.get("outcome") == "failed"
                and e.detail["step"] != "payment"]


def test_ch00_messages_take_no_time_on_this_bus_and_order_1_passes_8_hops_against_14(ch00_runs):
    def hops(run):
        chain = [e.type for e in run.trace.story("order-0001", kinds=("send",))]
        return chain.index("ConfirmationSent") + 1

    assert (hops(ch00_runs["troupe"]), hops(ch00_runs["conductor"])) == (8, 14)
    # an idle service starts on a message the instant it was sent: the bus adds no transit time
    story = ch00_runs["conductor"].trace.story("order-0001", kinds=("send", "start"))
    sent = {e.message_id: e.time for e in story if e.kind == "send"}
    assert all(e.time == sent[e.message_id] for e in story if e.kind == "start")


def test_ch00_a_stopped_orchestrator_stops_only_the_orchestration_and_a_broker_outage_both(ch00_runs):
    from playground.analysis.windows import finished_between
    from playground.scenarios import order_flow

    def completed(wiring, *stopped):
        plan = FaultPlan(outages={name: [CH00_WINDOW] for name in stopped})
        run = order_flow(**CH00, wiring=wiring, faults=plan).run()
        assert run.outcomes == ch00_runs["troupe"].outcomes  # delayed, never lost
        return finished_between(run, *CH00_WINDOW, outcome="completed")

    everyone = order_flow(wiring="orchestration").components()
    assert completed("choreography") == completed("orchestration") == 23
    assert completed("orchestration", "orchestrator") == 0
    assert completed("choreography", "payments") == completed("orchestration", "payments") == 1
    assert completed("orchestration", *everyone) == completed("choreography", *everyone - {"orchestrator"}) == 0


def test_ch00_three_payment_workers_bring_the_average_wait_under_half_a_second_and_two_do_not():
    from playground.runtime.latency import Uniform
    from playground.scenarios import order_flow

    def waits(workers):
        run = order_flow(**CH00, latency={"payments": Uniform(0.9, 1.5)}).with_workers({"payments": workers}).run()
        sent = {e.message_id: e.time for e in run.trace.where(kind="send", type="InvoiceCreated")}
        found = [e.time - sent[e.message_id] for e in run.trace.where(kind="start", at="payments")]
        return sum(found) / len(found), max(found)

    (two, _), (three, longest) = waits(2), waits(3)
    assert two >= 0.5 > three and longest > 1.0
    assert waits(1)[0] > 10


def test_ch00_exercise_answers_hold():
    from playground.scenarios import order_flow

    declined = order_flow(orders=100, seed=7, decline_rate=0.3).run()
    cancelled = {o for o, end in declined.outcomes.items() if end == "cancelled"}
    assert cancelled and not [e for e in declined.trace.where(kind="deliver") if e.correlation_id in cancelled
                              and e.at in ("shipping", "email")]
    from playground.orchestration.saga import SagaDefinition, Step
    from playground.orchestration.structure import saga_structure

    undone_ship = SagaDefinition("order", [
        Step("order", "PlaceOrder", "CancelOrder"), Step("payment", "ChargePayment", compensation_required=False),
        Step("ship", "ShipOrder", "CancelShipment")], started_by="OrderPlaced")
    assert any(p.startswith("'ship' has an undo (CancelShipment) but comes after the pivot 'payment'")
               for p in saga_structure(undone_ship).problems)
