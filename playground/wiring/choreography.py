"""The choreography wiring: each service subscribes to the events it reacts to; nobody is in charge.

The reaction tables (in :mod:`playground.flows`) are the whole "workflow": it
exists only as the sum of what each service listens for.
"""

from __future__ import annotations

from typing import Mapping

from playground.flows.onboarding import ONBOARDING_REACTIONS
from playground.flows.orders import ORDER_REACTIONS
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.services.base import Service
from playground.wiring.host import ServiceHost

__all__ = ["ONBOARDING_REACTIONS", "ORDER_REACTIONS", "choreograph", "describe_reactions"]


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
