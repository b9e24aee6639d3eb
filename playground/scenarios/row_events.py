"""Business events or database rows: an email service that confirms orders by watching the orders table.

The orders service publishes its business events as always, and — as many
systems do with change-data capture — every column it writes as a
``DatabaseRowUpdated`` event too. ``email_listens_to`` decides which of the
two the email service builds on; ``orders_version`` picks the orders service's
version: ``"v1"``, or ``"renamed"`` after an internal refactoring that
renamed its ``state`` column to ``status``.

>>> rows = contract_styles(orders=10, seed=1, email_listens_to="rows").run()
>>> rows.counts(), len(rows.services["email"].sent)
(Counter({'completed': 10}), 10)
>>> len(contract_styles(orders=10, seed=1, email_listens_to="rows", orders_version="renamed").run().services["email"].sent)
0
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.scenarios.order_flow import OrderFlow
from playground.services import Service
from playground.services.order_variants import RenamedColumnOrders, RowLevelOrders, RowWatchingEmail
from playground.flows.orders import ORDER_REACTIONS
from playground.wiring.choreography import choreograph
from playground.scenarios.base import builds

#: What the email service subscribes to in each style.
EMAIL_REACTIONS = {"business": {"OrderCompleted": "SendConfirmation"},
                   "rows": {"DatabaseRowUpdated": "WatchOrderRow"}}
ORDERS_VERSIONS = {"v1": RowLevelOrders, "renamed": RenamedColumnOrders}


def _choreography(scenario: "ContractStyles", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, scenario.definitions()["reactions"], randomness)


class ContractStyles(OrderFlow):
    """The choreographed order flow with a row-publishing orders service and a choice of email contract.

    Args:
        email_listens_to: ``"business"`` (``OrderCompleted``) or ``"rows"`` (``DatabaseRowUpdated``).
        orders_version: ``"v1"`` or ``"renamed"`` (the same service with its state column renamed).
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "order flow with row events"
    wirings = {"choreography": _choreography}

    def __init__(self, *, email_listens_to: str = "business", orders_version: str = "v1", **params: Any):
        super().__init__(**params)
        if email_listens_to not in EMAIL_REACTIONS:
            raise ScenarioError(f"email_listens_to must be one of {', '.join(EMAIL_REACTIONS)}, not {email_listens_to!r}.")
        if orders_version not in ORDERS_VERSIONS:
            raise ScenarioError(f"There is no orders version {orders_version!r}; choose from {', '.join(ORDERS_VERSIONS)}.")
        self.email_listens_to, self.orders_version = email_listens_to, orders_version

    def definitions(self) -> dict[str, Any]:
        return {"reactions": {**ORDER_REACTIONS, "email": EMAIL_REACTIONS[self.email_listens_to]}, "sagas": []}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        services["orders"] = ORDERS_VERSIONS[self.orders_version](latency=services["orders"].latency)
        services["email"] = RowWatchingEmail(latency=services["email"].latency)
        return services


@builds(ContractStyles)
def contract_styles(**params: Any) -> ContractStyles:
    """Build the row-events scenario; call ``.run()`` on it. See :class:`ContractStyles` for parameters."""
    return ContractStyles(**params)
