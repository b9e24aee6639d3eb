"""Exercise 02 · the order saga written by hand as a `transitions` machine.

The learner writes ``order_machine(order)``, returning a plain
``transitions.Machine(model=order, ...)`` whose triggers are named after the
events that fire them and whose callbacks send commands with
``order.send(...)``. A declined card is tried once more (a condition); a
second decline voids the invoice, then cancels the order. The checks run the
order flow on workloads drawn while grading (always more orders than the
notebook's forty) and judge the trace — after the dead letters: a command the
machine cannot send (a misspelt name, a field that breaks its contract) and an
event its callbacks raised on are parked, and the feedback quotes the first
one's reason instead of blaming what went missing because of it.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.analysis.invariants import check
from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch
from playground.grading.unseen import Unseen, on
from playground.scenarios.order_flow import order_flow

FACTORY = "order_machine"
#: Workloads drawn while grading (never the notebook's seed, always more than its forty orders): no card
#: declined, or most of them.
GOOD = Unseen(runs=1, orders=(45, 60), decline_rate=0.0, avoid_seeds={7})
DECLINED = Unseen(runs=1, orders=(45, 60), decline_rate=(0.5, 0.7), avoid_seeds={7})


def _run(ns: Mapping[str, Any], workload: Mapping[str, Any]):
    build = fetch(ns, FACTORY, what="function")
    return order_flow(wiring="orchestration", machine=build, **workload).run()


def _reply_parked(letter) -> bool:
    """A service's reply the machine had no transition for (not one its code raised on, not its own command)."""
    return letter.at == "orchestrator" and letter.envelope.sender != "orchestrator" and " failed on " not in letter.reason


def _parked(result) -> None:
    # First what the machine got wrong itself (a command it could not send, a callback that raised) ...
    verdict_on_run(result, service="orchestrator", expected=_reply_parked, yours="your machine")
    # ... then a reply that came in a state with no transition for it.
    replies = [d for d in result.dead_letters if _reply_parked(d)]
    if replies:
        raise Failed(f"a reply was parked: {replies[0].reason}")


def _sent(result, order_id: str, command: str) -> list:
    return result.trace.where(kind="send", type=command, correlation_id=order_id)


def completes_every_good_order(ns: Mapping[str, Any]) -> None:
    for workload in GOOD.draw():
        with on(workload):
            _completes_every_good_order(_run(ns, workload), workload)


def _completes_every_good_order(mine, workload: Mapping[str, Any]) -> None:
    _parked(mine)
    generated = order_flow(wiring="orchestration", **workload).run()
    for order_id, state in sorted(generated.outcomes.items()):
        if mine.outcomes.get(order_id) != state:
            sent = [e.type for e in mine.trace.where(kind="send", at="orchestrator", correlation_id=order_id)]
            raise Failed(f"with no card declined, {order_id} ended {mine.outcomes.get(order_id)!r} instead of "
                         f"'completed'; your machine sent {', '.join(sent) or 'nothing'} for it — "
                         "invoice, charge, mark the invoice paid, ship, then complete the order")
        if not _sent(mine, order_id, "MarkInvoicePaid"):
            raise Failed(f"{order_id} completed but its invoice was never marked paid; send MarkInvoicePaid once "
                         "the payment is received")


def cancels_a_declined_order(ns: Mapping[str, Any]) -> None:
    for workload in DECLINED.draw():
        with on(workload):
            _cancels_a_declined_order(_run(ns, workload))


def _cancels_a_declined_order(result) -> None:
    _parked(result)
    cancelled = [o for o, state in sorted(result.outcomes.items()) if state == "cancelled"]
    if not cancelled:
        raise Failed("with most cards declined no order was cancelled; when the card is declined "
                     "for good, send CancelInvoice and, once InvoiceCancelled arrives, CancelOrder")
    for order_id in cancelled:
        if not _sent(result, order_id, "CancelInvoice"):
            raise Failed(f"{order_id} was cancelled but its invoice was never voided; send CancelInvoice before "
                         "CancelOrder, so that no invoice stays open for an order nobody will pay")
        if _sent(result, order_id, "ShipOrder"):
            raise Failed(f"{order_id} was shipped although its card was declined; ship only after PaymentReceived")
    broken = {name: found for name, found in check(result).items() if found}
    if broken:
        name, found = next(iter(broken.items()))
        raise Failed(f"the invariant {name} is broken: {found[0].message}")


def retries_a_declined_card_once(ns: Mapping[str, Any]) -> None:
    for workload in DECLINED.draw():
        with on(workload):
            _retries_a_declined_card_once(_run(ns, workload))


def _retries_a_declined_card_once(result) -> None:
    _parked(result)
    for order_id, state in sorted(result.outcomes.items()):
        charges = len(_sent(result, order_id, "ChargePayment"))
        declined = len(result.trace.where(kind="send", type="PaymentFailed", correlation_id=order_id))
        if state == "cancelled" and charges != 2:
            raise Failed(f"{order_id} was cancelled after {charges} charge(s); try a declined card "
                         "once more — a PaymentFailed transition from 'charging' back to 'charging' with a "
                         "condition that counts the declines — and give up on the second decline")
        if declined and state == "completed" and charges != 2:
            raise Failed(f"{order_id} completed after {charges} charges for {declined} decline(s); charge again "
                         "only after a decline, and only once")


def triggers_are_events(ns: Mapping[str, Any]) -> None:
    from playground.wiring.machines import Instance, MachineOrchestrator

    build = fetch(ns, FACTORY, what="function")
    machine = build(Instance("probe", None))
    triggers = MachineOrchestrator.triggers(machine)
    wanted = {"OrderPlaced", "InvoiceCreated", "PaymentReceived", "PaymentFailed", "OrderShipped", "OrderCompleted",
              "InvoiceCancelled", "OrderCancelled"}
    missing = sorted(wanted - set(triggers))
    if missing:
        raise Failed(f"the machine has no trigger {missing[0]}; name a transition's trigger after the event that "
                     "fires it, and give every reply your commands can cause a transition")
    if getattr(machine, "ignore_invalid_triggers", False):
        raise Failed("the machine ignores every trigger it has no transition for (ignore_invalid_triggers=True); "
                     "name the replies you expect in each state instead, so an unexpected one is parked and seen")


EXERCISE = Exercise("02_transitions_machine", "The order saga as a transitions machine", [
    Check("completes_every_good_order", "every order completes as with the generated machine", 3,
          completes_every_good_order),
    Check("cancels_a_declined_order", "a declined order has its invoice voided, then is cancelled", 3,
          cancels_a_declined_order),
    Check("retries_a_declined_card_once", "a declined card is tried once more, and only once", 2,
          retries_a_declined_card_once),
    Check("triggers_are_events", "triggers named after the events, every reply expected", 2, triggers_are_events),
])
