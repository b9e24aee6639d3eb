"""The invoice that would not die: a fixed timeout on a slow payment leaves money without an invoice.

An orchestrator creates an invoice, waits for the payment with a fixed
timeout, then ships. Payments are usually quick but sometimes very slow (a
long tail). When one is slower than the timeout, the orchestrator gives up,
cancels the invoice and the order — and the payment, which was only slow,
goes through anyway and lands on a cancelled invoice. The customer paid for
an order that has no invoice. Same services as the order flow; the payment
confirmation goes from payments straight to invoices, as in the story.

``fix=`` applies one remedy to the orchestrated wiring; ``wiring="choreography"``
is another (invoices react to payments, shipping reacts to ``InvoicePaid``:
no timeout anywhere to get wrong):

* ``"wait"`` — no timeout on the payment: wait for its real outcome.
* ``"retry"`` — a timeout asks again with the same idempotency key; payments
  answers with the outcome of the one charge it made (or is making).
* ``"refund-late"`` — keep the timeout, but a payment that lands late is refunded.

>>> from playground.analysis.invariants import paid_without_invoice
>>> len(paid_without_invoice(invoice_incident(orders=60, seed=1).run())) > 0
True
>>> len(paid_without_invoice(invoice_incident(orders=60, seed=1, fix="wait").run()))
0
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.errors import ScenarioError
from playground.orchestration.saga import Retry, SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.latency import Latency, LongTail, as_latency
from playground.runtime.randomness import Randomness
from playground.runtime.checks import positive_number
from playground.scenarios.order_flow import OrderFlow, _choreography
from playground.services import Service
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds

FIXES = ("wait", "retry", "refund-late")

#: Mostly 0.3 s, but one payment in twenty takes 8 s: longer than the 5 s timeout.
PAYMENT_LATENCY = LongTail(typical=0.3, tail=8.0, tail_chance=0.05)


def incident_saga(*, timeout: float = 5.0, fix: str | None = None, retry: Retry | None = None) -> SagaDefinition:
    """The fulfilment saga of the incident, with the payment step as ``fix`` leaves it.

    ``retry`` replaces the patient retry policy of ``fix="retry"`` (try ``Retry(count=20,
    backoff=0)`` to see eager re-asking flood the payment service).

    >>> incident_saga().steps["payment"].timeout, incident_saga(fix="wait").steps["payment"].timeout
    (5.0, None)
    """
    payment: dict[str, Any] = {"timeout": timeout, "on_late": "ignore"}
    if fix == "wait":
        payment = {"timeout": None}
    elif fix == "retry":
        # Patient re-asks: backing off matters, since every ask queues at payments like a real charge
        # (asking again every few seconds floods the slow service and makes things worse).
        payment["retry"] = retry or Retry(count=10, backoff=timeout, factor=2.0, max_delay=60.0)
    elif fix == "refund-late":
        payment["on_late"] = "compensate"
    return SagaDefinition("fulfilment", [
        Step("order", "PlaceOrder", "CancelOrder"),
        Step("invoice", "CreateInvoice", "CancelInvoice"),
        Step("payment", "ChargePayment", "RefundPayment", **payment),
        Step("ship", "ShipOrder", "CancelShipment"),
        Step("complete", "CompleteOrder", compensation_required=False),
    ], started_by="OrderPlaced")


#: In the story the payment service confirms payments to the invoice service directly.
CONFIRMATION = {"invoices": {"PaymentReceived": "MarkInvoicePaid"}}


@adds_orchestrator
def _orchestration(scenario: "InvoiceIncident", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness, reactions=CONFIRMATION, store=scenario.store)
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable)


class InvoiceIncident(OrderFlow):
    """The order flow with a long-tailed payment service and a fixed payment timeout.

    Args:
        timeout: seconds the orchestrator waits for a payment.
        fix: None (the incident), or one of ``"wait"``, ``"retry"``, ``"refund-late"``.
        retry: with ``fix="retry"``, the retry policy to use instead of the patient default.
        payment_latency: the payment service's processing time (default :data:`PAYMENT_LATENCY`).
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow` (``rate`` defaults to 0.5).
    """

    name = "invoice incident"
    wirings = {"orchestration": _orchestration, "choreography": _choreography}

    def __init__(self, *, orders: int = 200, seed: int = 0, rate: float = 0.5, timeout: float = 5.0,
                 fix: str | None = None, retry: Retry | None = None, payment_latency: "float | Latency" = PAYMENT_LATENCY,
                 latency: Mapping[str, "float | Latency"] | None = None, wiring: str = "orchestration",
                 **params: Any):
        merged = {"payments": as_latency(payment_latency, what="payment_latency"), **(latency or {})}
        super().__init__(orders=orders, seed=seed, rate=rate, latency=merged, wiring=wiring, **params)
        self.timeout = positive_number("timeout", timeout)
        if fix is not None and fix not in FIXES:
            raise ScenarioError(f"There is no fix called {fix!r}; choose from {', '.join(FIXES)}, "
                                "or run wiring='choreography'.")
        if fix is not None and wiring != "orchestration":
            raise ScenarioError(f"fix={fix!r} changes the orchestrator, but this run is wired as {wiring}; "
                                "drop fix= or use wiring='orchestration'.")
        if retry is not None and (fix != "retry" or not isinstance(retry, Retry)):
            raise ScenarioError("retry= takes a Retry(...) and only goes with fix='retry'.")
        self.fix = fix
        self.saga = incident_saga(timeout=self.timeout, fix=fix, retry=retry)


@builds(InvoiceIncident)
def invoice_incident(**params: Any) -> InvoiceIncident:
    """Build the invoice-incident scenario; call ``.run()`` on it. See :class:`InvoiceIncident`."""
    return InvoiceIncident(**params)
