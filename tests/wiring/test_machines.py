"""Hand-written transitions machines orchestrate the order flow on the same services as the generated one."""

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
