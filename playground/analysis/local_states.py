"""Each component's own state machine, as the trace shows it: the choreography seen as a network of machines.

A choreography has no process, yet it is full of state: every service keeps
its own slice (a user is *registered*, an account *open*) and moves it when a
message arrives. Reading the ``state`` entries of a run gives each
component's machine as it was actually exercised — which transitions
happened, triggered by which message, how often — and, for one business
transaction, where each component's slice stands at a given moment.

>>> from playground.scenarios import onboarding_flow
>>> result = onboarding_flow(users=3, seed=1).run()
>>> machines = local_machines(result)
>>> {name: dict(m.transitions) for name, m in machines.items()}
{'users': {(None, 'registered', 'RegisterUser'): 3}, 'accounts': {(None, 'open', 'UserCreated'): 3}}
>>> local_states(result, "user-0002")
{'users': 'registered', 'accounts': 'open'}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace, TraceEntry
    from playground.runtime.result import Result


@dataclass
class LocalMachine:
    """One component's observed state machine.

    Attributes:
        transitions: ``(from, to, triggering message type) → count``; ``from`` is None for a first state.
        states: every state seen, in order of first appearance.
    """

    component: str
    transitions: Counter = field(default_factory=Counter)
    states: list[str] = field(default_factory=list)

    def add(self, before: str | None, after: str, trigger: str | None) -> None:
        self.transitions[(before, after, trigger)] += 1
        for state in (before, after):
            if state is not None and state not in self.states:
                self.states.append(state)


def _state_entries(source: "Result | Trace", components: Iterable[str] | None) -> list["TraceEntry"]:
    trace = getattr(source, "trace", source)
    wanted = set(components) if components is not None else None
    return [e for e in trace.entries if e.kind == "state" and isinstance(e.detail, dict)
            and (wanted is None or e.at in wanted)]


def local_machines(source: "Result | Trace", components: Iterable[str] | None = None) -> dict[str, LocalMachine]:
    """Each component's machine from its ``state`` entries, components in order of first state change.

    Args:
        components: only these (default: every component that changed a state, the orchestrator included).
    """
    machines: dict[str, LocalMachine] = {}
    for e in _state_entries(source, components):
        machine = machines.setdefault(e.at, LocalMachine(e.at))
        machine.add(e.detail.get("from"), e.detail["to"], e.type)
    if components is not None:
        missing = [c for c in components if c not in machines]
        if missing:
            raise PlaygroundError(f"{', '.join(missing)} changed no state in this run; components with state: "
                                  f"{', '.join(machines) or 'none'}.")
    return machines


def local_states(source: "Result | Trace", instance: str, *, at: float | None = None,
                 components: Iterable[str] | None = None) -> dict[str, str]:
    """Where each component's own slice of ``instance`` stood at simulated time ``at`` (default: the end).

    Components that never held any state for the instance are left out: they
    have nothing to say about it, which is an answer too.
    """
    found: dict[str, str] = {}
    for e in _state_entries(source, components):
        if at is not None and e.time > at:
            break
        if e.detail.get("instance") == instance:
            found[e.at] = e.detail["to"]
    return found
