"""Each invariant against a run (or a hand-built trace) that breaks it and one that keeps it."""

import pytest

from playground.analysis.invariants import (
    INVARIANTS, Violation, check, compensations_mirror_forward_steps, effects_at_most_once, money_conserved,
    one_terminal_state, paid_without_invoice)
from playground.errors import PlaygroundError
from playground.runtime.trace import Trace
from playground.scenarios import order_flow
from playground.runtime.result import Result

TERMINALS = {"OrderCompleted": "completed", "OrderCancelled": "cancelled"}


def hand_built(rows, ids=("order-1",)):
    """A Result around a trace written by hand, for violations no scenario can produce yet."""
    trace = Trace()
    for row in rows:
        trace.record(*row)
    return Result("hand-built", "none", 0, trace, {i: "?" for i in ids}, [], {}, 0.0, terminals=TERMINALS)


def charge(t, key, amount):
    return (t, "effect", "payments", "InvoiceCreated", None, key, None, {"effect": "charge", "key": key, "amount": amount})


def refund(t, key, amount):
    return (t, "effect", "payments", "RefundPayment", None, key, None, {"effect": "refund", "key": key, "amount": amount})


def invoice(t, key, before, after):
    return (t, "state", "invoices", "OrderPlaced", None, key, None, {"instance": key, "from": before, "to": after})


def step(t, instance, name, outcome):
    return (t, "step", "orchestrator", None, None, instance, None, {"instance": instance, "step": name, "outcome": outcome})


def undo(t, instance, name):
    return (t, "compensate", "orchestrator", None, None, instance, None, {"instance": instance, "step": name})


def test_a_clean_run_keeps_every_invariant(small_run):
    assert check(small_run) == {name: [] for name in INVARIANTS}


def test_a_dead_lettered_order_has_no_terminal_state_and_the_trace_shows_where_it_stopped():
    result = order_flow(orders=10, seed=4, malformed=1).run()
    (found,) = one_terminal_state(result)
    (letter,) = result.trace.where(kind="dead_letter")
    assert found.correlation_id == letter.correlation_id
    assert letter.seq in found.evidence
    assert "never reached a terminal state" in found.message


def test_two_terminal_states_for_one_order_are_reported_with_both_entries():
    result = hand_built([
        (1.0, "send", "orders", "OrderCompleted", "m1", "order-1", None),
        (2.0, "send", "orders", "OrderCancelled", "m2", "order-1", None),
    ])
    (found,) = one_terminal_state(result)
    assert found == Violation("one-terminal-state", "order-1", found.message, (0, 1))
    assert "ended 2 times" in found.message


def test_money_kept_without_a_paid_invoice_is_flagged():
    result = hand_built([invoice(0.5, "order-1", None, "open"), charge(1.0, "order-1", 20.0),
                         invoice(2.0, "order-1", "open", "cancelled")])
    (found,) = paid_without_invoice(result)
    assert found.correlation_id == "order-1" and found.evidence == (1, 2)
    assert "ended 'cancelled'" in found.message


def test_a_refunded_charge_needs_no_paid_invoice():
    result = hand_built([charge(1.0, "order-1", 20.0), refund(2.0, "order-1", 20.0)])
    assert paid_without_invoice(result) == []
    assert money_conserved(result) == []


def test_a_repeated_effect_is_flagged_once_with_every_occurrence():
    row = (1.0, "effect", "email", "OrderCompleted", "m1", "order-1", None, {"effect": "email", "key": "confirmation:order-1"})
    (found,) = effects_at_most_once(hand_built([row, row, row]))
    assert found.evidence == (0, 1, 2) and "3 times" in found.message
    assert effects_at_most_once(hand_built([row])) == []


def test_refunding_more_than_was_charged_breaks_money_conservation():
    result = hand_built([charge(1.0, "order-1", 20.0), refund(2.0, "order-1", 20.0), refund(3.0, "order-1", 20.0)])
    (found,) = money_conserved(result)
    assert found.evidence == (0, 1, 2) and "refunded 40.00" in found.message


def test_charging_twice_for_one_paid_invoice_breaks_money_conservation():
    result = hand_built([charge(1.0, "order-1", 20.0), charge(1.5, "order-1", 20.0),
                         invoice(0.5, "order-1", None, "open"), invoice(2.0, "order-1", "open", "paid")])
    (found,) = money_conserved(result)
    assert "kept 40.00" in found.message and found.evidence == (0, 1, 3)
    assert paid_without_invoice(result) == []


SAGA_OK = [step(1, "order-1", "invoice", "done"), step(2, "order-1", "charge", "done"), step(3, "order-1", "ship", "failed"),
           undo(4, "order-1", "charge"), step(5, "order-1", "charge", "compensated"),
           undo(6, "order-1", "invoice"), step(7, "order-1", "invoice", "compensated")]


def test_a_rollback_in_reverse_order_keeps_the_saga_invariant():
    assert compensations_mirror_forward_steps(hand_built(SAGA_OK)) == []



def test_a_step_that_completes_late_during_the_rollback_is_undone_after_the_others():
    # 'ship' timed out, the rollback began, then its reply came: it is undone last, which is right.
    rows = [*SAGA_OK[:3], SAGA_OK[3], step(4.5, "order-1", "ship", "done"), SAGA_OK[4], SAGA_OK[5], SAGA_OK[6],
            undo(8, "order-1", "ship"), step(9, "order-1", "ship", "compensated")]
    assert compensations_mirror_forward_steps(hand_built(rows), compensable={"invoice", "charge", "ship"}) == []
    # ...but it must still be undone, and the steps done in time still newest first.
    (found,) = compensations_mirror_forward_steps(hand_built(rows[:-2]), compensable={"invoice", "charge", "ship"})
    assert "'ship'" in found.message
    swapped = [*SAGA_OK[:3], step(4.5, "order-1", "ship", "done"), SAGA_OK[5], SAGA_OK[6], SAGA_OK[3], SAGA_OK[4],
               undo(8, "order-1", "ship")]
    (found,) = compensations_mirror_forward_steps(hand_built(swapped), compensable={"invoice", "charge", "ship"})
    assert "undo the newest step first" in found.message

@pytest.mark.parametrize("rows, fragment", [
    ([*SAGA_OK[:3], SAGA_OK[5], SAGA_OK[6], SAGA_OK[3], SAGA_OK[4]], "undo the newest step first"),
    ([*SAGA_OK[:5]], "without undoing completed step(s) 'invoice'"),
    ([*SAGA_OK, undo(8, "order-1", "invoice")], "undid step 'invoice' 2 times"),
    ([*SAGA_OK, undo(8, "order-1", "ship")], "'ship', which never completed"),
])
def test_a_broken_rollback_is_named(rows, fragment):
    found = compensations_mirror_forward_steps(hand_built(rows), compensable={"invoice", "charge", "ship"})
    assert len(found) == 1 and fragment in found[0].message
    assert found[0].correlation_id == "order-1" and found[0].evidence


def test_asking_for_an_unknown_invariant_gets_one_sentence(small_run):
    with pytest.raises(PlaygroundError, match="no invariant called 'money'"):
        check(small_run, "money")
    assert list(check(small_run, "money_conserved")) == ["money-conserved"]


def test_a_dropped_payment_confirmation_leaves_money_without_a_paid_invoice():
    from playground.runtime.fault_rules import Drop
    from playground.runtime.faults import FaultPlan

    result = order_flow(orders=10, seed=3, faults=FaultPlan(messages=[Drop(type="PaymentReceived", nth=4)])).run()
    (dropped,) = result.trace.where(kind="fault")
    (found,) = paid_without_invoice(result)
    assert found.correlation_id == dropped.correlation_id
    charge_seq = next(e.seq for e in result.trace.where(kind="effect", correlation_id=dropped.correlation_id))
    assert charge_seq in found.evidence and "ended 'open'" in found.message
    assert [v.correlation_id for v in money_conserved(result)] == [dropped.correlation_id]
    assert [v.correlation_id for v in one_terminal_state(result)] == [dropped.correlation_id]


def test_a_duplicated_event_makes_the_naive_email_service_repeat_itself():
    from playground.runtime.fault_rules import Duplicate
    from playground.runtime.faults import FaultPlan

    result = order_flow(orders=10, seed=3, faults=FaultPlan(messages=[Duplicate(type="OrderCompleted", nth=2)])).run()
    (found,) = effects_at_most_once(result)
    (dup,) = result.trace.where(kind="fault")
    assert found.correlation_id == dup.correlation_id and len(found.evidence) == 2
    assert all(result.trace.entries[s].kind == "effect" for s in found.evidence)
    # The idempotent services shrug the same fault off: the one repeated effect is the email.
    assert "email did 'email'" in found.message


def test_an_orchestrated_rollback_keeps_every_invariant():
    result = order_flow(orders=20, seed=1, wiring="orchestration", decline_rate=0.3).run()
    undone = result.trace.where(kind="compensate")
    assert undone and "cancelled" in result.counts()  # declined payments really were rolled back
    assert check(result) == {name: [] for name in INVARIANTS}
    # The same trace with one undo taken out, as if the orchestrator forgot to cancel one order:
    skipped = next(e for e in undone if e.detail["step"] == "order")
    edited = Trace()
    for e in result.trace.entries:
        if e.seq != skipped.seq:
            edited.record(*e[1:])
    forgetful = Result("edited", "orchestration", 1, edited, result.outcomes, [], {}, 0.0,
                       extras={"compensable": result.extras["compensable"]}, terminals=TERMINALS)
    (found,) = compensations_mirror_forward_steps(forgetful)
    assert found.correlation_id == skipped.correlation_id and "'order'" in found.message
