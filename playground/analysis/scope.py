"""How big an orchestrator's job is: the size of its sagas, the teams they tie together, the traffic it carries.

A bounded orchestrator manages one complex process. A "god" orchestrator
manages everything anyone asked it to, and every number here grows with
it: states and transitions of its machine, the services it commands and
thus the teams whose changes queue at it, the share of all traffic that
passes through it, and how long each instance stays open in its memory.

>>> from playground.scenarios.god_orchestrator import order_saga
>>> saga_size(order_saga()).services, saga_size(order_saga(["confirm", "push"])).services
(4, 6)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from playground.orchestration.machine import machine_spec
from playground.orchestration.saga import SagaDefinition, Step
from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: What an orchestrator announces when an instance ends, whatever the saga.
INSTANCE_ENDS = ("SagaCompleted", "SagaCompensated", "SagaStuck")


@dataclass(frozen=True)
class SagaSize:
    """Counts that grow as a saga takes on more work."""

    saga: str
    steps: int
    states: int        # of its state machine, the three endings and the start included
    transitions: int
    services: int      # distinct services it sends commands to
    teams: tuple[str, ...]  # those services' owners: every one of them needs the orchestrator team for a change


def saga_size(*sagas: SagaDefinition) -> SagaSize:
    """The size of one saga, or of several run by the same orchestrator, added up."""
    states = transitions = steps = 0
    services: set[str] = set()
    for saga in sagas:
        spec_states, spec_transitions = machine_spec(saga)
        states += len(spec_states)
        transitions += len(spec_transitions)
        steps += sum(1 for s in saga.steps.values() if isinstance(s, Step))
        services |= saga.services()
    name = " + ".join(s.name for s in sagas)
    return SagaSize(name, steps, states, transitions, len(services), tuple(sorted(services)))


@dataclass(frozen=True)
class Load:
    """What passes through a component in one run."""

    component: str
    handled: int       # messages delivered to it
    sent: int          # messages it sent
    share: float       # its deliveries as a share of all deliveries in the run
    per_transaction: float  # (handled + sent) per business transaction


def load(result: "Result", component: str = "orchestrator") -> Load:
    """How much of a run's traffic ``component`` carried."""
    handled = sent = everything = 0
    for e in result.trace.entries:
        if e.kind == "deliver" and e.at != DEAD_LETTERS:
            everything += 1
            handled += e.at == component
        elif e.kind == "send" and e.at == component:
            sent += 1
    transactions = max(len(result.outcomes), 1)
    return Load(component, handled, sent, handled / everything if everything else 0.0,
                (handled + sent) / transactions)


def instance_lifetimes(result: "Result", ends: Iterable[str] = INSTANCE_ENDS) -> dict[str, float]:
    """Seconds each saga instance stayed open: from its transaction's first message to the orchestrator's end event."""
    wanted = set(ends)
    first: dict[str, float] = {}
    closed: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind != "send" or e.correlation_id is None:
            continue
        first.setdefault(e.correlation_id, e.time)
        if e.type in wanted and e.correlation_id not in closed:
            closed[e.correlation_id] = e.time - first[e.correlation_id]
    return closed


def held_at(result: "Result", when: float, ends: Iterable[str] = INSTANCE_ENDS) -> list[str]:
    """The saga instances the orchestrator was holding open at simulated time ``when``, oldest first."""
    wanted = set(ends)
    first: dict[str, float] = {}
    closed: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind != "send" or e.correlation_id is None:
            continue
        first.setdefault(e.correlation_id, e.time)
        if e.type in wanted:
            closed.setdefault(e.correlation_id, e.time)
    # Only transactions the orchestrator ever closes are its instances; the others never were.
    return [cid for cid, start in first.items() if cid in closed and start <= when < closed[cid]]


def open_at(result: "Result", when: float, ends: Iterable[str] = INSTANCE_ENDS) -> int:
    """How many saga instances the orchestrator was holding open at simulated time ``when``."""
    return len(held_at(result, when, ends))
