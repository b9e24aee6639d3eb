"""The order flow in which the customer is told before the order is closed — the resilience chapter's stage.

Orchestrated, the process reads the way the business tells it: take the
order, invoice it, charge it, settle the invoice, ship it, *confirm it to the
customer*, close it. The confirmation is a step like the others, so while
the email service is down every order waits at it — and with an
``email_timeout``, an order whose confirmation takes too long is undone,
refund and all. Choreographed, email merely reacts to ``OrderCompleted``:
nothing waits for it.

>>> from playground.runtime.faults import FaultPlan
>>> down = FaultPlan(outages={"email": [(10, 30)]})
>>> confirmation_flow(orders=40, seed=1, faults=down).run().counts()
Counter({'completed': 40})
>>> confirmation_flow(orders=40, seed=1, faults=down, wiring="orchestration", email_timeout=5).run().counts()["cancelled"] > 0
True
"""

from __future__ import annotations

from typing import Any

from playground.orchestration.saga import SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.checks import positive_number
from playground.scenarios.order_flow import OrderFlow, _choreography
from playground.services import Service
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds


def confirming_saga(*, email_timeout: float | None = None) -> SagaDefinition:
    """Order → invoice → payment → settle → ship → confirm (optionally with a deadline) → complete.

    >>> confirming_saga(email_timeout=30).steps["confirm"].timeout
    30
    """
    return SagaDefinition("order", [
        Step("order", "PlaceOrder", "CancelOrder"),
        Step("invoice", "CreateInvoice", "CancelInvoice"),
        Step("payment", "ChargePayment", "RefundPayment"),
        Step("settle", "MarkInvoicePaid", compensation_required=False),
        Step("ship", "ShipOrder", "CancelShipment"),
        Step("confirm", "SendConfirmation", compensation_required=False, timeout=email_timeout),
        Step("complete", "CompleteOrder", compensation_required=False),
    ], started_by="OrderPlaced")


@adds_orchestrator
def _orchestration(scenario: "ConfirmationFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness)
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable)


class ConfirmationFlow(OrderFlow):
    """:class:`~playground.scenarios.order_flow.OrderFlow` whose orchestrated saga confirms before completing.

    Args:
        email_timeout: (orchestration) seconds the saga waits for the confirmation before undoing the order.
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "order flow, confirmed before closed"
    wirings = {"choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, email_timeout: float | None = None, **params: Any):
        super().__init__(**params)
        timeout = positive_number("email_timeout", email_timeout) if email_timeout is not None else None
        self.saga = confirming_saga(email_timeout=timeout)


@builds(ConfirmationFlow)
def confirmation_flow(**params: Any) -> ConfirmationFlow:
    """Build the confirmed-before-closed order flow; call ``.run()`` on it. See :class:`ConfirmationFlow`."""
    return ConfirmationFlow(**params)
