"""The orchestration wiring: services take commands, an orchestrator runs the workflow as one saga.

The saga definitions (in :mod:`playground.flows`) are the whole workflow, in one place — the
opposite of the choreography's reaction tables, where it exists only as the
sum of what each service listens for. The services are the same objects.
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, TypeVar

from playground.orchestration.host import OrchestratorHost
from playground.flows.onboarding import ONBOARDING_SAGA, onboarding_saga
from playground.flows.orders import ORDER_SAGA
from playground.orchestration.saga import SagaDefinition
from playground.orchestration.store import Store
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.services.base import Service
from playground.wiring.host import ServiceHost
from playground.wiring.machines import MachineOrchestrator

__all__ = ["ONBOARDING_SAGA", "ORDER_SAGA", "adds_orchestrator", "onboarding_saga", "orchestrate", "order_orchestration"]

W = TypeVar("W", bound=Callable)
#: The component name an orchestrator runs under (its inbox, its trace entries, a fault plan's key).
ORCHESTRATOR = OrchestratorHost.name


def host_services(bus: Bus, services: Mapping[str, Service], randomness: Randomness,
                  reactions: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Host every service on ``bus``: commands only, unless ``reactions`` gives one events to react to."""
    reactions = reactions or {}
    for name, service in services.items():
        ServiceHost(service, bus, reactions=reactions.get(name, {}),
                    latency_rng=randomness.stream(f"latency:{name}")).attach()


def adds_orchestrator(wiring: W) -> W:
    """Mark a scenario's wiring as one that runs an orchestrator, so a fault plan may name ``"orchestrator"``.

    >>> @adds_orchestrator
    ... def wire(scenario, bus, services, randomness): ...
    >>> wire.components
    {'orchestrator'}
    """
    wiring.components = {ORCHESTRATOR}  # type: ignore[attr-defined]
    return wiring


def orchestrate(bus: Bus, services: Mapping[str, Service], sagas: list[SagaDefinition], randomness: Randomness,
                *, store: "str | os.PathLike | Store" = "memory",
                reactions: Mapping[str, Mapping[str, str]] | None = None) -> OrchestratorHost:
    """Host every service on ``bus`` (commands only, unless ``reactions`` says otherwise) and an orchestrator.

    Must be called on the running loop (scenarios call their wiring inside the run).
    """
    host_services(bus, services, randomness, reactions)
    return OrchestratorHost(bus, sagas, store=store, seed=randomness.seed).attach()


@adds_orchestrator
def order_orchestration(scenario, bus: Bus, services: Mapping[str, Service], randomness: Randomness) -> None:
    """The orchestrated wiring of the order flow (registered in ``OrderFlow.wirings``).

    A scenario with a ``machine`` (a hand-written ``build(instance)``) runs that
    machine instead of the one :data:`ORDER_SAGA` generates, on the same services.
    """
    build = getattr(scenario, "machine", None)
    if build is not None:
        host_services(bus, services, randomness)
        host = MachineOrchestrator(build).attach(bus)
        scenario.orchestrator = host
        scenario.run_extras["orchestrator"] = host
        return
    host = orchestrate(bus, services, [ORDER_SAGA], randomness, store=getattr(scenario, "store", "memory"))
    scenario.orchestrator = host
    extras = getattr(scenario, "run_extras", None)
    if extras is not None:
        extras.update(orchestrator=host, saga=ORDER_SAGA, compensable=ORDER_SAGA.compensable)

