"""An order flow that grows in both wirings: a step in the middle, followers at the end.

The change requests of the five-dimension chapter are variants of this one
scenario, so the same code measures what each change costs in each wiring:

* ``screening=True`` inserts fraud screening between invoicing and payment. In
  the choreography payments must stop reacting to ``InvoiceCreated`` and react
  to ``OrderScreened`` instead; in the orchestration the saga gains a step.
* ``followers`` names the follow-up work after an order completes, from
  :data:`~playground.scenarios.god_orchestrator.FOLLOW_UPS` (``confirm`` by
  email, ``push``, ``report``). In the choreography each follower subscribes
  to ``OrderCompleted``; in the orchestration each is one more saga step, the
  way a central workflow usually grows.

>>> grown = evolving_orders(orders=10, seed=1, screening=True, followers=("confirm", "push"))
>>> grown.definitions()["reactions"]["payments"]
{'OrderScreened': 'ChargePayment'}
>>> grown.run().counts()
Counter({'completed': 10})
>>> evolving_orders(wiring="orchestration", screening=True).definitions()["sagas"][0].stage_names[:4]
['order', 'invoice', 'screen', 'payment']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from playground.errors import ScenarioError
from playground.orchestration.saga import SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.checks import latencies
from playground.scenarios.base import builds
from playground.scenarios.god_orchestrator import CORE, FOLLOW_UPS
from playground.scenarios.order_flow import OrderFlow
from playground.services import Payments, Service
from playground.services.notifications import PushNotifications, Reports
from playground.services.screening import FraudScreen
from playground.wiring.choreography import ORDER_REACTIONS, choreograph
from playground.wiring.orchestration import adds_orchestrator, orchestrate

#: Processing times (simulated seconds) of the services the flow may grow.
GROWTH_LATENCY = {"screening": 0.1, "push": 0.05, "reports": 0.2}

#: The screening step of the orchestrated saga (nothing to undo: it only looks).
SCREEN = Step("screen", "ScreenOrder", compensation_required=False, done=("OrderScreened",))


def evolving_reactions(*, screening: bool = False, followers: Iterable[str] = ("confirm",)) -> dict[str, dict[str, str]]:
    """The choreography's reaction tables for this shape of the flow.

    >>> evolving_reactions(followers=("push",))["push"]
    {'OrderCompleted': 'SendPush'}
    """
    reactions = {name: dict(table) for name, table in ORDER_REACTIONS.items() if name != "email"}
    if screening:
        reactions["screening"] = {"InvoiceCreated": "ScreenOrder"}
        reactions["payments"] = {"OrderScreened": "ChargePayment"}
    for step in followers:
        service, command, _ = FOLLOW_UPS[step]
        reactions[service] = {"OrderCompleted": command}
    return reactions


def evolving_saga(*, screening: bool = False, followers: Iterable[str] = ("confirm",)) -> SagaDefinition:
    """The orchestration's one saga for this shape of the flow.

    >>> evolving_saga(followers=("confirm", "report")).stage_names[-2:]
    ['confirm', 'report']
    """
    core = [*CORE[:2], SCREEN, *CORE[2:]] if screening else list(CORE)
    follow = [Step(step, FOLLOW_UPS[step][1], compensation_required=False, done=(FOLLOW_UPS[step][2],))
              for step in followers]
    return SagaDefinition("order", [*core, *follow], started_by="OrderPlaced")


def _choreography(scenario: EvolvingOrders, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, scenario.definitions()["reactions"], randomness)


@adds_orchestrator
def _orchestration(scenario: EvolvingOrders, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    (saga,) = scenario.definitions()["sagas"]
    host = orchestrate(bus, services, [saga], randomness, store=scenario.store)
    scenario.run_extras.update(orchestrator=host, saga=saga, compensable=saga.compensable)


class EvolvingOrders(OrderFlow):
    """The order flow with an optional screening step and a chosen list of followers, in either wiring.

    Args:
        screening: insert fraud screening between invoicing and payment.
        followers: follow-up steps after completion, in order, from ``confirm``, ``push``, ``report``.
        payments: the class that takes payments (:class:`~playground.services.Payments` or a subclass).
        latency: as for the order flow, and also for ``screening``, ``push`` and ``reports``.
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "evolving order flow"
    wirings = {"choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, screening: bool = False, followers: Iterable[str] = ("confirm",),
                 payments: type[Payments] = Payments, **params: Any):
        if not (isinstance(payments, type) and issubclass(payments, Payments)):
            raise ScenarioError(f"payments must be Payments or a subclass of it, not {payments!r}.")
        self.payments = payments
        given = dict(params.pop("latency", None) or {})
        grown = {name: given.pop(name) for name in list(given) if name in GROWTH_LATENCY}
        super().__init__(latency=given, **params)
        self.grown_latency = latencies(grown, GROWTH_LATENCY)
        self.screening = bool(screening)
        self.followers = tuple(followers) if not isinstance(followers, str) else (followers,)
        for step in self.followers:
            if step not in FOLLOW_UPS:
                raise ScenarioError(f"There is no follower called {step!r}; choose from {', '.join(FOLLOW_UPS)}.")
        if len(set(self.followers)) != len(self.followers):
            raise ScenarioError(f"Each follower may appear once, not {list(self.followers)}.")

    def definitions(self) -> dict[str, Any]:
        """What this wiring is made of besides the services: reaction tables and saga definitions."""
        shape = {"screening": self.screening, "followers": self.followers}
        if self.wiring == "orchestration":
            return {"reactions": {}, "sagas": [evolving_saga(**shape)]}
        return {"reactions": evolving_reactions(**shape), "sagas": []}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if self.payments is not Payments:
            services["payments"] = self.payments(latency=self.latency["payments"], decline_rate=self.decline_rate,
                                                 rng=randomness.stream("payments"))
        if "confirm" not in self.followers:
            del services["email"]
        if "push" in self.followers:
            services["push"] = PushNotifications(latency=self.grown_latency["push"])
        if "report" in self.followers:
            services["reports"] = Reports(latency=self.grown_latency["reports"])
        if self.screening:
            services["screening"] = FraudScreen(latency=self.grown_latency["screening"])
        return services


@builds(EvolvingOrders)
def evolving_orders(**params: Any) -> EvolvingOrders:
    """Build the evolving order flow; call ``.run()`` on it. See :class:`EvolvingOrders` for parameters."""
    return EvolvingOrders(**params)
