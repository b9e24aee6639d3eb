"""Backstage: the faust agent that hosts every service, and the `transitions` machine behind every saga.

The playground's abstractions (services with ``@handles``, reaction tables,
``SagaDefinition``) run on two libraries. These helpers show the real code and
the real objects, so a learner can read them and then write their own.

>>> from playground.wiring.orchestration import ORDER_SAGA
>>> machine = saga_machine(ORDER_SAGA)
>>> from transitions.extensions.asyncio import AsyncMachine
>>> isinstance(machine, AsyncMachine), machine.initial
(True, 'new')
>>> sorted(machine_summary(machine)["triggers"])
['done', 'fail', 'give_up', 'retry', 'start', 'undone']
>>> "app.agent(channel" in str(hosting_agent()) and "async for envelope in stream" in str(hosting_agent())
True
"""

from __future__ import annotations

import inspect
import textwrap
from html import escape
from typing import Any

from transitions import Machine
from transitions.extensions.diagrams import GraphMachine

from playground.errors import PlaygroundError
from playground.orchestration.machine import build_machine
from playground.orchestration.saga import SagaDefinition
from playground.orchestration.view import Diagram
from playground.transport.bus import Bus
from playground.wiring.machines import machine_summary


class Code:
    """Source code that prints as text and renders as a highlighted block in a notebook."""

    def __init__(self, source: str):
        self.source = source

    def __str__(self) -> str:
        return self.source

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.source}\n```"

    def _repr_html_(self) -> str:
        return f"<pre>{escape(self.source)}</pre>"


def _lines(source: str, start: str, stop: str) -> str:
    """The lines of ``source`` from the first containing ``start`` up to (not including) the first with ``stop``."""
    lines = source.splitlines()
    first = next(i for i, line in enumerate(lines) if start in line)
    last = next(i for i in range(first + 1, len(lines)) if stop in lines[i])
    return textwrap.dedent("\n".join(lines[first:last]))


def hosting_agent() -> Code:
    """The bus's own code: where it declares one faust agent per inbox, and that agent's body."""
    start = _lines(inspect.getsource(Bus.start), "for inbox, handler in self._handlers.items():", "await app.start()")
    consumer = textwrap.dedent(inspect.getsource(Bus._consumer))
    return Code(f"# Bus.start: one channel and one agent per inbox\n{start}\n\n# Bus._consumer: the agent's body\n{consumer}")


def saga_machine(saga: Any) -> Machine:
    """The `transitions` machine the orchestrator runs for ``saga``, or the one a finished run used.

    Args:
        saga: a :class:`SagaDefinition` (a fresh machine, callbacks doing
            nothing), or a Result of an orchestrated run (the machine that ran,
            with every instance still attached as a model).
    """
    if isinstance(saga, SagaDefinition):
        def nothing(*args: Any) -> None:
            return None

        return build_machine(saga, on_enter={}, after_change=nothing, on_deadline=nothing, on_exception=nothing)
    host = getattr(saga, "extras", {}).get("orchestrator")
    machines = getattr(getattr(host, "current", None), "machines", None)
    if not machines:
        raise PlaygroundError("saga_machine() takes a SagaDefinition or the result of a run orchestrated by one.")
    return next(iter(machines.values()))


def machine_diagram(machine: Machine, *, title: str | None = None, highlight: str | None = None) -> Diagram:
    """Any `transitions` machine drawn by transitions' own Mermaid graph (states, triggers, conditions).

    ``highlight`` marks a state; by default the state of the machine's model when it has exactly one.
    """
    summary = machine_summary(machine)
    transitions = [{"trigger": t["trigger"], "source": t["source"], "dest": t["dest"] or t["source"],
                    "conditions": [_named(c) for c in t["conditions"]]} for t in summary["transitions"]]

    class Drawn:
        pass

    drawn = Drawn()
    for name in {c for t in transitions for c in t["conditions"]}:
        setattr(drawn, name, lambda *a, **k: True)
    graph_machine = GraphMachine(model=drawn, states=summary["states"], transitions=transitions,
                                 initial=summary["initial"], auto_transitions=False, graph_engine="mermaid",
                                 title=title or "", show_conditions=True)
    models = [m for m in machine.models if hasattr(m, "state")]
    if highlight is None and len(models) == 1:
        highlight = models[0].state
    if highlight is not None:
        graph = graph_machine.model_graphs[id(drawn)]
        graph.reset_styling()
        graph.set_node_style(highlight, "active")
    return Diagram(drawn.get_graph().draw(None))


def _named(condition: str) -> str:
    return condition if condition.isidentifier() else "condition"
