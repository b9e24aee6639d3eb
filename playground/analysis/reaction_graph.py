"""The event flow read from the code, before anything runs: a static check that the reactions form a DAG.

A reaction table says which command a service runs for an event; the
service's code says which events that command can emit. Put together, they
give a graph of *event → event it can cause*, without running anything.
A cycle in that graph is a message loop waiting to happen — the same loop
:func:`~playground.analysis.event_graph.loops_in` finds in a run's traffic,
found here before the change ships.

What a command can emit is read from its handler's source: every
``emit("Type", ...)`` (or ``emit(self.attribute, ...)`` naming a class
attribute that holds the type) in the handler and in the methods of the same
service it calls (``self.x(...)`` or ``super().x(...)``). An event type built
at run time (``emit(name, ...)``) cannot be read this way; the check then
refuses in a sentence naming the handler, so nobody takes it for proof. The
reading errs on the side of a false alarm: events a handler gets from a call
and then drops still count as events it can emit.

>>> from playground.scenarios.ping_pong import PING_PONG_REACTIONS
>>> reaction_cycles(PING_PONG_REACTIONS)
[['PaymentReceived', 'InvoiceCreated']]
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections import defaultdict
from typing import Any, Mapping

from playground.analysis.event_graph import _strongly_connected, _walk
from playground.errors import PlaygroundError
from playground.runtime.randomness import Randomness
from playground.services import SERVICES
from playground.services.base import Service


def _method_names(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ for name in vars(klass)}


def _scan(cls: type, method: str, seen: set[tuple[type, str]], found: set[str], unread: list[str],
          owner: type | None = None) -> None:
    """Collect the event types ``cls.method`` can emit, following calls to the service's own methods."""
    start = cls.__mro__.index(owner) if owner is not None else 0
    klass = next((k for k in cls.__mro__[start:] if method in vars(k)), None)
    if klass is None or (klass, method) in seen or not issubclass(klass, Service) or klass is Service:
        return
    seen.add((klass, method))
    tree = ast.parse(textwrap.dedent(inspect.getsource(vars(klass)[method])))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "emit":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
            elif (isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name) and first.value.id == "self"
                  and isinstance(getattr(cls, first.attr, None), str)):
                found.add(getattr(cls, first.attr))  # a class attribute naming the event, as the pipeline's do
            else:
                unread.append(f"{klass.__name__}.{method}")
        elif isinstance(func, ast.Attribute):
            target = func.value
            if isinstance(target, ast.Name) and target.id == "self" and func.attr in _method_names(cls):
                _scan(cls, func.attr, seen, found, unread)
            elif (isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "super"):
                following = cls.__mro__[cls.__mro__.index(klass) + 1]
                _scan(cls, func.attr, seen, found, unread, owner=following)


def emits_of(service: "type[Service] | Service") -> dict[str, set[str]]:
    """Command → the event types its handler can emit, read from the service's source code."""
    cls = service if isinstance(service, type) else type(service)
    out = {}
    for command, method in cls.commands.items():
        found: set[str] = set()
        unread: list[str] = []
        _scan(cls, method, set(), found, unread)
        if unread:
            raise PlaygroundError(f"{unread[0]} emits an event whose type is computed at run time, so the "
                                  "static check cannot tell what it causes; write the type as a literal.")
        out[command] = found
    return out


def _services(services: Any) -> Mapping[str, Any]:
    if services is None:
        return SERVICES
    if hasattr(services, "build_services"):  # a scenario: the services it would run
        return services.build_services(Randomness(0))
    return services


def reaction_graph(reactions: Mapping[str, Mapping[str, str]],
                   services: Any = None) -> dict[str, dict[str, set[str]]]:
    """Event → {event it can cause: the services through which it does}.

    ``services`` maps names to service classes or instances; a scenario stands
    for the services it runs; by default, the playground's own services.
    """
    services = _services(services)
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, table in reactions.items():
        if name not in services:
            raise PlaygroundError(f"The reaction tables name a service {name!r} that is not among the services "
                                  f"given ({', '.join(sorted(services))}); pass its class too.")
        emits = emits_of(services[name])
        for event, command in table.items():
            for caused in sorted(emits.get(command, ())):
                graph[event][caused].add(name)
    return {event: dict(caused) for event, caused in graph.items()}


def reaction_cycles(reactions: Mapping[str, Mapping[str, str]], services: Any = None) -> list[list[str]]:
    """Event types that can keep causing each other, one list per loop (empty for a DAG)."""
    graph = reaction_graph(reactions, services)
    nodes = list(dict.fromkeys([*graph, *(c for caused in graph.values() for c in caused)]))
    edges: dict[str, list[str]] = defaultdict(list)
    for event, caused in graph.items():
        edges[event].extend(caused)
    loops = []
    for group in _strongly_connected(nodes, edges):
        if len(group) > 1 or group[0] in graph.get(group[0], {}):
            loops.append(_walk(sorted(group, key=nodes.index), edges))
    return sorted(loops, key=lambda loop: nodes.index(loop[0]))


__all__ = ["emits_of", "reaction_cycles", "reaction_graph"]
