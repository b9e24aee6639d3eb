"""The orchestration wiring: services take commands, an orchestrator runs the workflow as one saga.

The saga definitions below are the whole workflow, in one place — the
opposite of the choreography's reaction tables, where it exists only as the
sum of what each service listens for. The services are the same objects.

>>> ORDER_SAGA.stage_names
['order', 'invoice', 'payment', 'settle', 'ship', 'complete', 'confirm']
>>> ONBOARDING_SAGA.stages[1].name
'welcome_and_account'
"""

from __future__ import annotations

import os
from typing import Mapping

from playground.orchestration.host import OrchestratorHost
from playground.orchestration.saga import Parallel, SagaDefinition, Step
from playground.orchestration.store import Store
from playground.runtime.bus import Bus
from playground.runtime.randomness import Randomness
from playground.services.base import Service
from playground.wiring.host import ServiceHost

#: The order flow as one process. The order itself is placed before the saga
#: starts (``OrderPlaced`` starts it), so that step counts as done and is
#: undone, like the others, if a later step fails.
ORDER_SAGA = SagaDefinition("order", [
    Step("order", "PlaceOrder", "CancelOrder"),
    Step("invoice", "CreateInvoice", "CancelInvoice"),
    Step("payment", "ChargePayment", "RefundPayment"),
    Step("settle", "MarkInvoicePaid", compensation_required=False),
    Step("ship", "ShipOrder", "CancelShipment"),
    Step("complete", "CompleteOrder", compensation_required=False),
    Step("confirm", "SendConfirmation", compensation_required=False),
], started_by="OrderPlaced")



def onboarding_saga(*, welcome_timeout: float | None = None) -> SagaDefinition:
    """Onboarding as one process: once the user exists, welcome them and open their account in parallel.

    With ``welcome_timeout``, a welcome email that does not go out in time fails the
    onboarding and the account is closed again.
    """
    return SagaDefinition("onboarding", [
        Step("user", "RegisterUser", compensation_required=False),
        Parallel(Step("welcome", "SendWelcome", compensation_required=False, timeout=welcome_timeout),
                 Step("account", "OpenAccount", "CloseAccount")),
    ], started_by="UserCreated")


#: Onboarding without deadlines ("do B and C in parallel").
ONBOARDING_SAGA = onboarding_saga()


def orchestrate(bus: Bus, services: Mapping[str, Service], sagas: list[SagaDefinition], randomness: Randomness,
                *, store: "str | os.PathLike | Store" = "memory",
                reactions: Mapping[str, Mapping[str, str]] | None = None) -> OrchestratorHost:
    """Host every service on ``bus`` (commands only, unless ``reactions`` says otherwise) and an orchestrator.

    Must be called on the running loop (scenarios call their wiring inside the run).
    """
    reactions = reactions or {}
    for name, service in services.items():
        ServiceHost(service, bus, reactions=reactions.get(name, {}),
                    latency_rng=randomness.stream(f"latency:{name}")).attach()
    return OrchestratorHost(bus, sagas, store=store, seed=randomness.seed).attach()


def order_orchestration(scenario, bus: Bus, services: Mapping[str, Service], randomness: Randomness) -> None:
    """The orchestrated wiring of the order flow (registered in ``OrderFlow.wirings``)."""
    host = orchestrate(bus, services, [ORDER_SAGA], randomness, store=getattr(scenario, "store", "memory"))
    scenario.orchestrator = host
    extras = getattr(scenario, "run_extras", None)
    if extras is not None:
        extras.update(orchestrator=host, saga=ORDER_SAGA, compensable=ORDER_SAGA.compensable)


#: Components this wiring adds beside the services, so a fault plan may name them.
order_orchestration.components = {"orchestrator"}
