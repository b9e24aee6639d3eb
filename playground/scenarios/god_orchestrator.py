"""A god orchestrator in the making: the order saga grows a step for every team that asks, then is split.

The fulfilment core (order → invoice → payment → settle → ship → complete)
is a real saga: its steps must all happen or be undone. Then the requests
come: email a confirmation, push a notification, count the sale in a
report. Each is easiest to add as one more step of the saga — and each makes
the orchestrator bigger, busier and more teams' bottleneck.

``extras`` lists the follow-up steps; ``split=True`` keeps the saga to the
core and lets the follow-up services react to ``OrderCompleted`` themselves
(choreography at the edge, orchestration at the core).

>>> grown = growing_orchestrator(orders=10, seed=1, extras=("confirm", "push", "report"))
>>> grown.definitions()["sagas"][0].stage_names[-3:], grown.run().counts()
(['confirm', 'push', 'report'], Counter({'completed': 10}))
>>> split = growing_orchestrator(orders=10, seed=1, extras=("confirm", "push", "report"), split=True)
>>> split.definitions()["reactions"]["push"]
{'OrderCompleted': 'SendPush'}
"""

from __future__ import annotations

from typing import Any, Iterable

from playground.errors import ScenarioError
from playground.flows.orders import ORDER_STEPS
from playground.orchestration.saga import SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.scenarios.order_flow import OrderFlow
from playground.services import Service
from playground.services.notifications import PushNotifications, Reports
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds

#: The steps every order needs, in order; each can be undone if a later one fails.
CORE = list(ORDER_STEPS)

#: Follow-up work other teams want done after an order: step name → (service, command, reply).
FOLLOW_UPS = {
    "confirm": ("email", "SendConfirmation", "ConfirmationSent"),
    "push": ("push", "SendPush", "PushSent"),
    "report": ("reports", "RecordSale", "SaleRecorded"),
}


def order_saga(extras: Iterable[str] = ()) -> SagaDefinition:
    """The core fulfilment saga with the follow-up steps ``extras`` appended, one after another.

    >>> order_saga(["confirm"]).stage_names
    ['order', 'invoice', 'payment', 'settle', 'ship', 'complete', 'confirm']
    """
    follow = [Step(name, FOLLOW_UPS[name][1], compensation_required=False, done=(FOLLOW_UPS[name][2],))
              for name in extras]
    return SagaDefinition("order", [*CORE, *follow], started_by="OrderPlaced")


@adds_orchestrator
def _orchestration(scenario: "GrowingOrchestrator", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    parts = scenario.definitions()
    host = orchestrate(bus, services, parts["sagas"], randomness, reactions=parts["reactions"])
    scenario.run_extras.update(orchestrator=host, compensable=parts["sagas"][0].compensable)


class GrowingOrchestrator(OrderFlow):
    """The order flow run by one saga whose size depends on ``extras``; ``split`` moves the extras out of it.

    Args:
        extras: follow-up steps from :data:`FOLLOW_UPS`, in the order they were asked for.
        split: keep the saga to :data:`CORE`; the follow-up services subscribe to ``OrderCompleted``.
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow` (always orchestrated).
    """

    name = "growing orchestrator"
    wirings = {"orchestration": _orchestration}

    def __init__(self, *, extras: Iterable[str] = (), split: bool = False, **params: Any):
        super().__init__(wiring="orchestration", **params)
        self.extras = tuple(extras) if not isinstance(extras, str) else (extras,)
        for name in self.extras:
            if name not in FOLLOW_UPS:
                raise ScenarioError(f"There is no follow-up step called {name!r}; choose from {', '.join(FOLLOW_UPS)}.")
        if len(set(self.extras)) != len(self.extras):
            raise ScenarioError(f"Each follow-up step may appear once, not {list(self.extras)}.")
        self.split = bool(split)

    def definitions(self) -> dict[str, Any]:
        if self.split:
            reactions = {FOLLOW_UPS[n][0]: {"OrderCompleted": FOLLOW_UPS[n][1]} for n in self.extras}
            return {"reactions": reactions, "sagas": [order_saga()]}
        return {"reactions": {}, "sagas": [order_saga(self.extras)]}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if "confirm" not in self.extras:
            del services["email"]
        if "push" in self.extras:
            services["push"] = PushNotifications(latency=0.05)
        if "report" in self.extras:
            services["reports"] = Reports(latency=0.2)
        return services


@builds(GrowingOrchestrator)
def growing_orchestrator(**params: Any) -> GrowingOrchestrator:
    """Build the growing-orchestrator scenario; call ``.run()`` on it. See :class:`GrowingOrchestrator`."""
    return GrowingOrchestrator(**params)
