"""The choreography as a network of state machines, drawn in Mermaid from what a run actually did.

One box per component: inside it, the component's own state machine (its
transitions labelled with the message that triggered them and how often);
between boxes, the messages one component's work sent to another. There is
no box for the business process, because in a choreography there is none.

>>> from playground.scenarios import onboarding_flow
>>> diagram = state_network(onboarding_flow(users=3, seed=1).run())
>>> print("\\n".join(diagram.lines()[:6]))
stateDiagram-v2
    direction LR
    state "users" as c_users {
        state "registered" as users__registered
        [*] --> users__registered: RegisterUser ×3
    }
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from playground.analysis.event_graph import event_graph
from playground.analysis.local_states import local_machines
from playground.viz.mermaid import Mermaid

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def _id(*parts: str) -> str:
    return "__".join(re.sub(r"\W", "_", p) for p in parts)


def state_network(result: "Result", components: Iterable[str] | None = None, *, counts: bool = True) -> Mermaid:
    """Each component's observed state machine, and the messages flowing between components.

    Args:
        components: the boxes to draw, in order (default: every component that handled a message).
        counts: label transitions and flows with how often they happened.
    """
    graph = event_graph(result)
    chosen = list(components) if components is not None else [c for c in graph.components if c in graph.reacts]
    machines = local_machines(result)
    lines = ["stateDiagram-v2", "    direction LR"]
    for name in chosen:
        machine = machines.get(name)
        box = "c_" + _id(name)
        if machine is None:
            # Mermaid needs a box with content to draw a composite; a stateless component is a plain state.
            lines.append(f'    state "{name} (keeps no state)" as {box}')
            continue
        lines.append(f'    state "{name}" as {box} {{')
        for state in machine.states:
            lines.append(f'        state "{state}" as {_id(name, state)}')
        for (before, after, trigger), n in machine.transitions.items():
            source = "[*]" if before is None else _id(name, before)
            # no triggering message: a deadline fired (the orchestrator's timeouts)
            label = f"{trigger or 'a timer'}{f' ×{n}' if counts else ''}"
            lines.append(f"        {source} --> {_id(name, after)}: {label}")
        lines.append("    }")
    for (emitter, type_, reactor), n in graph.flows.items():
        if emitter in chosen and reactor in chosen and emitter != reactor:
            lines.append(f"    c_{_id(emitter)} --> c_{_id(reactor)}: {type_}{f' ×{n}' if counts else ''}")
    return Mermaid("\n".join(lines))
