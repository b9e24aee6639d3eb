"""A push-notification service joins a running order flow by subscribing — no producer is touched.

The push service is deployed with an inbox from the start but subscribes
only at ``join_at`` simulated seconds, in the middle of the run. How it
learns what to say depends on ``style``:

* ``"plain"`` — it hears ``OrderCompleted`` and says "your order is complete";
* ``"call-back"`` — it hears ``OrderCompleted`` and asks the orders service for
  the amount (``GetOrder``), which only works if the orders service answers
  queries (``queryable=True``) — a change to a producer;
* ``"carried"`` — it also hears ``OrderPlaced``, which already carries the
  amount, and keeps its own copy: event-carried state, no question asked.

``style=None`` runs the flow without the push service, for comparison.

>>> joined = push_join(orders=40, seed=3, join_at=20.0).run()
>>> pushed = len(joined.services["push"].sent)
>>> 0 < pushed < 40, joined.counts()
(True, Counter({'completed': 40}))
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.scenarios.order_flow import OrderFlow
from playground.services import Service
from playground.services.notifications import PushNotifications
from playground.services.order_variants import QueryableOrders
from playground.flows.orders import ORDER_REACTIONS
from playground.wiring.choreography import choreograph
from playground.wiring.host import ServiceHost
from playground.scenarios.base import builds
from playground.runtime.checks import is_number

#: What the push service subscribes to, per style.
PUSH_STYLES = {
    "plain": {"OrderCompleted": "SendPush"},
    "call-back": {"OrderCompleted": "LookUpOrder", "OrderDetails": "NotifyWithDetails"},
    "carried": {"OrderPlaced": "RememberOrder", "OrderCompleted": "SendPush"},
}


def _choreography(scenario: "PushJoin", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    others = {name: s for name, s in services.items() if name != "push"}
    choreograph(bus, others, ORDER_REACTIONS, randomness)
    if scenario.style is not None:
        host = ServiceHost(services["push"], bus, reactions=PUSH_STYLES[scenario.style],
                           latency_rng=randomness.stream("latency:push"))
        # An inbox now, subscriptions later: the service is running before it joins the flow.
        bus.add_inbox("push", host)


class PushJoin(OrderFlow):
    """The choreographed order flow that a push service joins at ``join_at`` seconds.

    Args:
        style: ``"plain"``, ``"call-back"``, ``"carried"`` or None (no push service).
        join_at: simulated second at which the push service subscribes.
        queryable: run the orders service that answers ``GetOrder`` queries.
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "order flow with a push newcomer"
    wirings = {"choreography": _choreography}

    def __init__(self, *, style: str | None = "plain", join_at: float = 0.0, queryable: bool = False, **params: Any):
        super().__init__(**params)
        if style is not None and style not in PUSH_STYLES:
            raise ScenarioError(f"There is no push style {style!r}; choose from {', '.join(PUSH_STYLES)}, or None.")
        if not is_number(join_at) or join_at < 0:
            raise ScenarioError(f"join_at must be a number of seconds of at least 0, not {join_at!r}.")
        self.style, self.join_at, self.queryable = style, float(join_at), bool(queryable)

    def definitions(self) -> dict[str, Any]:
        reactions = dict(ORDER_REACTIONS)
        if self.style is not None:
            reactions["push"] = dict(PUSH_STYLES[self.style])
        return {"reactions": reactions, "sagas": []}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if self.queryable:
            services["orders"] = QueryableOrders(latency=services["orders"].latency)
        if self.style is not None:
            services["push"] = PushNotifications(latency=0.05)
        return services

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        if self.style is not None:
            bus.timers.call_at(self.join_at, self._join, bus)
        await super().drive(bus, randomness)

    def _join(self, bus: Bus) -> None:
        events = list(PUSH_STYLES[self.style])
        bus.subscribe("push", *events)
        bus.trace.record(bus.now(), "state", "push", detail={"instance": "subscriptions", "from": None,
                                                              "to": ", ".join(events)})


@builds(PushJoin)
def push_join(**params: Any) -> PushJoin:
    """Build the push-newcomer scenario; call ``.run()`` on it. See :class:`PushJoin` for parameters."""
    return PushJoin(**params)
