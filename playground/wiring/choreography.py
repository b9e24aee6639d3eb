"""The choreography wiring: each service subscribes to the events it reacts to; nobody is in charge.

The reaction tables below are the whole "workflow": it exists only as the sum
of what each service listens for.

>>> ORDER_REACTIONS["shipping"]
{'InvoicePaid': 'ShipOrder'}
"""

from __future__ import annotations

from typing import Mapping

from playground.runtime.bus import Bus
from playground.runtime.randomness import Randomness
from playground.services.base import Service
from playground.wiring.host import ServiceHost

#: Order flow: service → {event it hears: command it runs}.
ORDER_REACTIONS: dict[str, dict[str, str]] = {
    "orders": {"OrderShipped": "CompleteOrder", "PaymentFailed": "CancelOrder"},
    "invoices": {"OrderPlaced": "CreateInvoice", "PaymentReceived": "MarkInvoicePaid",
                 "PaymentFailed": "CancelInvoice"},
    "payments": {"InvoiceCreated": "ChargePayment"},
    "shipping": {"InvoicePaid": "ShipOrder"},
    "email": {"OrderCompleted": "SendConfirmation"},
}

#: Onboarding: the user service announces, the others react on their own.
ONBOARDING_REACTIONS: dict[str, dict[str, str]] = {
    "users": {},
    "email": {"UserCreated": "SendWelcome"},
    "accounts": {"UserCreated": "OpenAccount"},
}


def describe_reactions(reactions: Mapping[str, Mapping[str, str]]) -> str:
    """The reaction tables as sentences: who hears what, and what it does about it.

    >>> print(describe_reactions({"shipping": {"InvoicePaid": "ShipOrder"}}))
    shipping    hears InvoicePaid      → runs ShipOrder
    """
    lines = []
    for service, table in reactions.items():
        for event, command in table.items():
            lines.append(f"{service:<11} hears {event:<16} → runs {command}")
    return "\n".join(lines)


def choreograph(bus: Bus, services: Mapping[str, Service], reactions: Mapping[str, Mapping[str, str]],
                randomness: Randomness) -> dict[str, ServiceHost]:
    """Host every service on ``bus`` with its reactions; returns the hosts by name."""
    hosts = {}
    for name, service in services.items():
        hosts[name] = ServiceHost(service, bus, reactions=reactions.get(name, {}),
                                  latency_rng=randomness.stream(f"latency:{name}")).attach()
    return hosts
