"""The order flow after teams joined it without governance — or with it.

``teams`` says how many of the five teams of
:mod:`playground.services.spaghetti` have joined (analytics, crm, rewards,
marketing, audit, in that order). ``style="ungoverned"`` switches on the
orders service's row events (change-data capture) as soon as one team
joins, and each team builds on rows or on another team's echoes;
``style="governed"`` lets the same teams listen to business events only.
The five order-flow services and their reactions never change.

>>> from playground.analysis.metrics import messages_per_transaction
>>> [messages_per_transaction(event_spaghetti(orders=2, seed=1, teams=n).run())["order-0001"] for n in (0, 5)]
[8, 51]
>>> messages_per_transaction(event_spaghetti(orders=2, seed=1, teams=5, style="governed").run())["order-0001"]
9
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.checks import whole_number
from playground.scenarios.base import builds
from playground.scenarios.order_flow import OrderFlow
from playground.services.base import Service
from playground.services.order_variants import RowLevelOrders
from playground.services.spaghetti import GOVERNED, UNGOVERNED
from playground.wiring.choreography import ORDER_REACTIONS, choreograph

STYLES = {"ungoverned": UNGOVERNED, "governed": GOVERNED}
#: How long each newcomer takes per message, in simulated seconds.
TEAM_LATENCY = 0.02


def _choreography(scenario: "EventSpaghetti", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, scenario.definitions()["reactions"], randomness)


class EventSpaghetti(OrderFlow):
    """The choreographed order flow with ``teams`` newcomers wired in ``style``.

    Args:
        teams: how many of the five teams joined (0–5), in the order analytics, crm, rewards, marketing, audit.
        style: ``"ungoverned"`` (row events and echoes) or ``"governed"`` (business events only).
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "grown order flow"
    wirings = {"choreography": _choreography}

    def __init__(self, *, teams: int = 5, style: str = "ungoverned", **params: Any):
        super().__init__(**params)
        self.teams = whole_number("teams", teams)
        if self.teams > len(UNGOVERNED):
            raise ScenarioError(f"teams must be between 0 and {len(UNGOVERNED)}, not {teams!r}.")
        if style not in STYLES:
            raise ScenarioError(f"style must be one of {', '.join(STYLES)}, not {style!r}.")
        self.style = style

    def joined(self) -> dict[str, tuple[type[Service], dict[str, str]]]:
        """The teams that joined, with their service class and reaction table."""
        return dict(list(STYLES[self.style].items())[:self.teams])

    def definitions(self) -> dict[str, Any]:
        reactions = {**ORDER_REACTIONS, **{name: table for name, (_, table) in self.joined().items()}}
        return {"reactions": reactions, "sagas": []}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if self.style == "ungoverned" and self.teams:
            services["orders"] = RowLevelOrders(latency=services["orders"].latency)
        for name, (cls, _) in self.joined().items():
            services[name] = cls(latency=TEAM_LATENCY)
        return services


@builds(EventSpaghetti)
def event_spaghetti(**params: Any) -> EventSpaghetti:
    """Build the grown order flow; call ``.run()`` on it. See :class:`EventSpaghetti` for parameters."""
    return EventSpaghetti(**params)
