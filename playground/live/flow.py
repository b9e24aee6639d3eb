"""The scenarios a panel runs: the order flow with an orchestrator timeout knob, the invoice incident, and the
order flow that confirms by email before closing (chapter 08).

The orchestrated order flow waits for every reply as long as it takes. A
panel offers one more knob — how long the orchestrator waits for any reply
before it gives the step up and undoes the order — so this module builds the
same saga (:data:`~playground.wiring.orchestration.ORDER_SAGA`) with that
timeout on every step. The invoice incident (chapter 03) already has its own
timeout, on the payment step, and is used as it is; in the confirming flow
(chapter 08) the knob is the deadline of the confirmation step alone.

>>> flow = build("order-flow", wiring="orchestration", orders=5, seed=2, timeout=5.0)
>>> [step.timeout for step in flow.saga.steps.values()][:3]
[5.0, 5.0, 5.0]
>>> flow.run().counts()
Counter({'completed': 5})
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from playground.errors import ScenarioError
from playground.orchestration.saga import SagaDefinition
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.checks import positive_number
from playground.scenarios.confirmation import ConfirmationFlow
from playground.scenarios.invoice_incident import InvoiceIncident
from playground.scenarios.order_flow import OrderFlow
from playground.services.base import Service
from playground.flows.orders import ORDER_SAGA
from playground.wiring.orchestration import adds_orchestrator, orchestrate


def timed_order_saga(timeout: float | None) -> SagaDefinition:
    """The order saga with ``timeout`` seconds on every step (None: wait for ever, as the plain flow does)."""
    return SagaDefinition(ORDER_SAGA.name, [replace(step, timeout=timeout) for step in ORDER_SAGA.stages],
                          started_by=ORDER_SAGA.started_by)


@adds_orchestrator
def _orchestration(scenario: "TimedOrderFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness)
    scenario.orchestrator = host
    scenario.run_extras.update(orchestrator=host, compensable=scenario.saga.compensable)


class TimedOrderFlow(OrderFlow):
    """:class:`OrderFlow` whose orchestrator gives any step up after ``timeout`` seconds without a reply."""

    wirings = {"choreography": OrderFlow.wirings["choreography"], "orchestration": _orchestration}

    def __init__(self, *, timeout: float | None = None, **params: Any):
        super().__init__(**params)
        self.timeout = positive_number("timeout", timeout) if timeout is not None else None
        self.saga = timed_order_saga(self.timeout)


class TimedConfirmationFlow(ConfirmationFlow):
    """Chapter 08's flow: the orchestrated saga confirms by email before it closes an order, and the
    panel's timeout is how long it waits for that confirmation before undoing the order."""

    def __init__(self, *, timeout: float | None = None, **params: Any):
        super().__init__(email_timeout=timeout, **params)


#: Scenario name → how to build it from the panel's settings.
SCENARIOS = {"order-flow": TimedOrderFlow, "invoice-incident": InvoiceIncident,
             "confirmation": TimedConfirmationFlow}


def build(name: str, **params: Any) -> OrderFlow:
    """The scenario called ``name`` (one of :data:`SCENARIOS`) with these parameters."""
    if name not in SCENARIOS:
        raise ScenarioError(f"There is no panel scenario called {name!r}; choose from {', '.join(SCENARIOS)}.")
    cls = SCENARIOS[name]
    if cls is InvoiceIncident:
        # The incident's point is its payment timeout; without one there is no incident to see.
        params["timeout"] = params.get("timeout") or 5.0
    return cls(**params)
