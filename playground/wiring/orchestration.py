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
from playground.errors import ScenarioError
from playground.orchestration.store import Store
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.services.base import Service
from playground.wiring.host import ServiceHost
from playground.wiring.machines import MachineOrchestrator

__all__ = ["ONBOARDING_SAGA", "ORDER_SAGA", "adds_orchestrator", "check_saga", "onboarding_saga", "orchestrate",
           "order_orchestration"]

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
    return OrchestratorHost(bus, sagas, store=store, randomness=randomness).attach()


def check_saga(saga: SagaDefinition | None, *, wiring: str, machine: object, started_by: str,
               clashes: Mapping[str, object] | None = None) -> None:
    """Refuse, in one sentence, a scenario's ``saga=`` that cannot run as given (None always passes).

    >>> check_saga(None, wiring="choreography", machine=None, started_by="OrderPlaced")
    >>> check_saga(ORDER_SAGA, wiring="choreography", machine=None, started_by="OrderPlaced")
    Traceback (most recent call last):
    ...
    playground.errors.ScenarioError: saga= replaces the orchestrator's saga, so it needs wiring='orchestration'.
    """
    if saga is None:
        return
    if not isinstance(saga, SagaDefinition):
        raise ScenarioError(f"saga= takes a SagaDefinition(...), not {saga!r}.")
    if wiring != "orchestration":
        raise ScenarioError("saga= replaces the orchestrator's saga, so it needs wiring='orchestration'.")
    if machine is not None:
        raise ScenarioError("Give saga= or machine=, not both: each replaces the generated machine.")
    if saga.started_by != started_by:
        raise ScenarioError(f"This scenario starts every transaction with {started_by}, but the saga '{saga.name}' "
                            f"is started by {saga.started_by}; pass started_by={started_by!r} to SagaDefinition.")
    for name, value in (clashes or {}).items():
        if value is not None:
            raise ScenarioError(f"Give saga= or {name}=, not both: put the {name} into your saga's steps.")


@adds_orchestrator
def order_orchestration(scenario, bus: Bus, services: Mapping[str, Service], randomness: Randomness) -> None:
    """The orchestrated wiring of the order flow (registered in ``OrderFlow.wirings``).

    A scenario with a ``machine`` (a hand-written ``build(instance)``) runs that
    machine instead of the one :data:`ORDER_SAGA` generates, on the same services;
    one with a ``saga`` runs that definition instead of :data:`ORDER_SAGA`.
    """
    build = getattr(scenario, "machine", None)
    if build is not None:
        host_services(bus, services, randomness)
        host = MachineOrchestrator(build).attach(bus)
        scenario.orchestrator = host
        scenario.run_extras["orchestrator"] = host
        return
    saga = getattr(scenario, "saga", None) or ORDER_SAGA
    host = orchestrate(bus, services, [saga], randomness, store=getattr(scenario, "store", "memory"))
    scenario.orchestrator = host
    extras = getattr(scenario, "run_extras", None)
    if extras is not None:
        extras.update(orchestrator=host, saga=saga, compensable=saga.compensable)

