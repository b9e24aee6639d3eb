"""Hand-written transitions machines orchestrate the order flow on the same services as the generated one.

A machine that cannot run is refused before the run; a bad message (a command its callbacks send, or an
event its code raises on) is dead-lettered with its reason and the run goes on.
"""

import pytest
from learner_code import order_machine

from playground import (MachineWiringError, ORDER_SAGA, check, machine_diagram, machine_summary, order_flow,
                        saga_machine)


def test_a_hand_written_machine_runs_the_order_flow_and_keeps_the_invariants():
    result = order_flow(orders=40, seed=3, decline_rate=0.3, wiring="orchestration", machine=order_machine).run()
    counts = result.counts()
    assert counts["completed"] + counts["cancelled"] == 40 and counts["cancelled"] > 0
    host = result.extras["orchestrator"]
    assert set(host.states().values()) == {"done", "cancelled"}
    # a retried charge shows as a self-transition in the trace and as two charges asked
    retried = [i for i, inst in host.instances.items() if inst.declines == 1 and inst.state == "done"]
    assert retried and all(len(result.trace.where(kind="send", type="ChargePayment", correlation_id=i)) == 2
                           for i in retried)
    assert all(not found for found in check(result).values())
    assert result.dead_letters == []


def test_the_same_orders_end_the_same_way_as_with_the_generated_machine_when_nothing_is_declined():
    mine = order_flow(orders=20, seed=8, wiring="orchestration", machine=order_machine).run()
    generated = order_flow(orders=20, seed=8, wiring="orchestration").run()
    assert mine.outcomes == generated.outcomes == {o: "completed" for o in generated.outcomes}
    # fewer messages: no confirmation step, no saga-ending events
    assert len(mine.trace.where(kind="send")) < len(generated.trace.where(kind="send"))


def test_summary_and_diagram_are_read_from_the_machines_themselves():
    from playground.wiring.machines import Instance

    mine = machine_summary(order_machine(Instance("probe", None)))
    generated = machine_summary(saga_machine(ORDER_SAGA))
    assert "OrderPlaced" in mine["triggers"] and "start" in generated["triggers"]
    assert {"trigger": "PaymentFailed", "source": "charging", "dest": "charging",
            "conditions": ["may_retry"]} in mine["transitions"]
    drawn = machine_diagram(order_machine(Instance("probe", None))).source
    assert drawn.startswith("---") and "charging --> charging: PaymentFailed [may_retry]" in drawn


def test_a_trigger_from_the_wrong_state_is_dead_lettered_with_the_fix():
    def no_retry(order):
        machine = order_machine(order)
        machine.remove_transition("PaymentFailed")
        return machine

    def strict(order):  # PaymentFailed is known, but only from 'invoicing': wrong state for a decline
        machine = no_retry(order)
        machine.add_transition("PaymentFailed", "invoicing", "cancelled")
        return machine

    result = order_flow(orders=10, seed=3, decline_rate=0.3, wiring="orchestration", machine=strict).run()
    reasons = {d.reason for d in result.dead_letters}
    assert reasons and all("is in state 'charging', where the machine has no transition for PaymentFailed; "
                           "add one with source 'charging' or pass ignore_invalid_triggers=True" in r for r in reasons)


def test_a_misspelled_trigger_names_the_closest_event():
    def typo(order):
        machine = order_machine(order)
        machine.add_transition("PaymentRecieved", "charging", "shipping")
        return machine

    with pytest.raises(MachineWiringError,
                       match="'PaymentRecieved' is not an event in the catalog; did you mean 'PaymentReceived'"):
        order_flow(orders=1, seed=1, wiring="orchestration", machine=typo).run()


def test_build_must_return_a_machine_on_the_instance_it_was_given():
    with pytest.raises(MachineWiringError, match="must return a transitions Machine"):
        order_flow(orders=1, seed=1, wiring="orchestration", machine=lambda order: None).run()


def _replacing(trigger, source, dest, after):
    """order_machine with the transition for ``trigger`` from ``source`` replaced by one calling ``after``."""
    def build(order):
        machine = order_machine(order)
        machine.remove_transition(trigger, source)
        machine.add_transition(trigger, source, dest, after=after)
        return machine

    return build


@pytest.mark.parametrize("send, reason", [
    (lambda order: order.send("ShipOrdr"),
     "a callback of {id} sends 'ShipOrdr', which is not a command in the catalog; did you mean 'ShipOrder'?"),
    (lambda order: order.send("OrderShipped"),
     "a callback of {id} sends 'OrderShipped', which is an event, not a command; shipping announces it, a machine "
     "only asks with commands"),
    (lambda order: order.send("ShipOrder", order_id=7),
     "ShipOrder from orchestrator breaks its contract: field 'order_id' should be text, not int (7)"),
    (lambda order: (order.data.pop("payment_id"), order.send("MarkInvoicePaid")),  # a field it never heard
     "MarkInvoicePaid from orchestrator breaks its contract: field 'payment_id' is missing; pass it to "
     "send('MarkInvoicePaid', ...) or hear an event that carries it first"),
])
def test_a_command_the_machine_cannot_send_is_dead_lettered_and_the_run_goes_on(send, reason):
    def machine(order):
        return _replacing("PaymentReceived", "charging", "shipping", lambda e: send(order))(order)

    result = order_flow(orders=4, seed=8, wiring="orchestration", machine=machine).run()
    assert result.counts() == {"dead-lettered": 4}  # nothing shipped, yet the run ended, each order with its reason
    assert [(d.at, d.reason) for d in result.dead_letters] == [
        ("orchestrator", reason.format(id=o)) for o in sorted(result.outcomes)]


def test_an_exception_in_a_callback_dead_letters_the_event_and_the_other_orders_go_on():
    def machine(order):
        def ship(event):
            if order.id.endswith(("1", "3")):
                raise ValueError(f"no address for {order.id}")
            order.send("ShipOrder")

        return _replacing("PaymentReceived", "charging", "shipping", ship)(order)

    result = order_flow(orders=4, seed=8, wiring="orchestration", machine=machine).run()
    assert result.outcomes == {"order-0001": "dead-lettered", "order-0002": "completed", "order-0003": "dead-lettered",
                               "order-0004": "completed"}
    assert [d.reason for d in result.dead_letters] == [
        f"the machine of {o} failed on PaymentReceived in state 'charging': ValueError: no address for {o}"
        for o in ("order-0001", "order-0003")]
    # the instance stays where the transition took it
    assert result.extras["orchestrator"].states()["order-0001"] == "shipping"


def test_an_exception_in_build_dead_letters_the_event_that_would_start_the_instance():
    def machine(order):
        if order.id == "order-0002":
            raise LookupError("no stock table")
        return order_machine(order)

    result = order_flow(orders=3, seed=8, wiring="orchestration", machine=machine).run()
    assert result.outcomes["order-0002"] != "completed" and result.counts()["completed"] == 2
    assert [d.reason for d in result.dead_letters] == [
        "build('order-0002') failed on OrderPlaced: LookupError: no stock table"]
