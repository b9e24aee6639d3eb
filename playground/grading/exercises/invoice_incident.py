"""Exercise 03 · the invoice that would not die, fixed two ways.

The learner writes ``PAYMENT_STEP`` (the orchestrator's payment step, so a
slow payment can no longer outlive a timeout unnoticed) and ``SAFETY_NET``
(reactions some services run on their own, beside the orchestrator, so a
payment that lands on a cancelled invoice is refunded). Each is checked on
its own run of the incident with the paid-without-invoice and
money-conserved invariants, and the step must still let quick payments
through.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.analysis.invariants import money_conserved, paid_without_invoice
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch
from playground.orchestration import Step
from playground.runtime.latency import Fixed, LongTail
from playground.scenarios.incident_variants import incident_with
from playground.scenarios.invoice_incident import PAYMENT_LATENCY, incident_saga

STEP, NET = "PAYMENT_STEP", "SAFETY_NET"
#: Enough orders for a handful of slow payments; no declines, so every cancellation is the timeout's doing.
WORKLOAD = {"orders": 100, "seed": 3, "decline_rate": 0.0}
TIMEOUT = incident_saga().steps["payment"].timeout
REMEDIES = ('wait for the real outcome (no timeout), ask again with the same key and a backoff '
            '(retry=Retry(...)), or refund a payment that lands late (on_late="compensate")')


def _step(ns: Mapping[str, Any]) -> Step:
    step = fetch(ns, STEP, what="Step")
    if not isinstance(step, Step) or step.action != "ChargePayment":
        raise Failed(f"`{STEP}` should be Step(\"payment\", \"ChargePayment\", \"RefundPayment\", ...), not {step!r}")
    return step


def _kept_without_invoice(result) -> list:
    return paid_without_invoice(result) + money_conserved(result)


def payment_step_fix(ns: Mapping[str, Any]) -> None:
    step = _step(ns)
    # Whatever fixed timeout the step picks, some payments take longer than that.
    slowest = max(PAYMENT_LATENCY.tail, 1.6 * (step.timeout or 0.0))
    result = incident_with(payment_step=step, payment_latency=LongTail(PAYMENT_LATENCY.typical, slowest,
                                                                       PAYMENT_LATENCY.tail_chance),
                           **WORKLOAD).run()
    found = _kept_without_invoice(result)
    if found:
        longer = (f"; a longer timeout only moves the problem — in this run the slowest payments took {slowest:g} s"
                  if step.timeout and step.timeout > TIMEOUT and not step.retry.count and step.late_policy != "compensate"
                  else "")
        raise Failed(f"{found[0].message.split(';')[0]}: its payment landed after your payment step had given up "
                     f"({len({v.correlation_id for v in found})} orders like it){longer}; {REMEDIES}")


def payment_step_keeps_quick_orders(ns: Mapping[str, Any]) -> None:
    result = incident_with(payment_step=_step(ns), payment_latency=Fixed(PAYMENT_LATENCY.typical), **WORKLOAD).run()
    lost = sorted(o for o, state in result.outcomes.items() if state != "completed")
    if lost:
        raise Failed(f"{lost[0]} ended {result.outcomes[lost[0]]} although every payment took "
                     f"{PAYMENT_LATENCY.typical:g} s ({len(lost)} orders like it); give the payment step a timeout "
                     "a quick payment can meet, or none")
    if _kept_without_invoice(result):
        raise Failed(f"with quick payments, {_kept_without_invoice(result)[0].message}")


def safety_net_refunds(ns: Mapping[str, Any]) -> None:
    net = fetch(ns, NET, what="dict")
    if not isinstance(net, Mapping) or not all(isinstance(t, Mapping) for t in net.values()):
        raise Failed(f"`{NET}` should be a dict of service → {{event: command}}, e.g. "
                     "{\"payments\": {...}}, not " + repr(net))
    result = incident_with(reactions=net, **WORKLOAD).run()
    found = _kept_without_invoice(result)
    if found:
        raise Failed(f"with your safety net, {found[0].message.split(';')[0]}; find the event the invoice service "
                     "publishes when a payment arrives for a cancelled invoice, and make payments refund it")
    refunds = {e.detail.get("key") for e in result.trace.where(kind="effect", at="payments")
               if e.detail.get("effect") == "refund"}
    refunded = sorted(o for o, state in result.outcomes.items() if state == "completed" and o in refunds)
    if refunded:
        raise Failed(f"{refunded[0]} completed and shipped, yet its payment was refunded; refund only payments "
                     "that found no invoice to settle")


EXERCISE = Exercise("03_invoice_incident", "The invoice that would not die", [
    Check("payment_step_fix", "your payment step leaves no paid order without an invoice", 4, payment_step_fix),
    Check("payment_step_keeps_quick_orders", "…and quick payments still complete their orders", 2,
          payment_step_keeps_quick_orders),
    Check("safety_net_refunds", "your safety net refunds late payments, and only those", 4, safety_net_refunds),
])
