"""The event-flow graph, built from observed traffic: who emits what, who reacts to it.

In a choreography the workflow is nowhere written down; this graph is the
closest thing to a picture of it, measured rather than designed. Two views:

* components and the message types flowing between them (fan-in, fan-out);
* message types and the types they caused (via causation ids) — a cycle
  here means messages keep causing each other: event ping-pong.

>>> from playground.scenarios import order_flow
>>> graph = event_graph(order_flow(orders=5, seed=1).run())
>>> graph.cycles()
[]
>>> graph.fan_out()["invoices"]
2
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.runtime.result import Result


def _trace_of(source: "Result | Trace") -> "Trace":
    return getattr(source, "trace", source)


class EventGraph:
    """Observed message flows of one run (draw it with :func:`~playground.viz.mermaid.flowchart`).

    Attributes:
        flows: ``(emitter, message type, reactor) → count`` of messages delivered.
        emits: component → message types it sent, with counts.
        reacts: component → message types it took from its inbox, with counts.
        causes: ``(type, type it caused) → count``, from causation ids.
    """

    def __init__(self, flows: Counter, emits: dict[str, Counter], reacts: dict[str, Counter], causes: Counter):
        self.flows, self.emits, self.reacts, self.causes = flows, emits, reacts, causes

    @property
    def components(self) -> list[str]:
        """Every component that sent or received something, in order of first appearance."""
        return list(dict.fromkeys([*self.emits, *self.reacts]))

    def fan_out(self) -> dict[str, int]:
        """Per component: how many *other* components react to what it emits."""
        out: dict[str, set] = {c: set() for c in self.components}
        for emitter, _, reactor in self.flows:
            if reactor != emitter:
                out[emitter].add(reactor)
        return {c: len(s) for c, s in out.items()}

    def fan_in(self) -> dict[str, int]:
        """Per component: how many *other* components' messages it reacts to."""
        into: dict[str, set] = {c: set() for c in self.components}
        for emitter, _, reactor in self.flows:
            if reactor != emitter:
                into[reactor].add(emitter)
        return {c: len(s) for c, s in into.items()}

    def consumers(self) -> dict[str, int]:
        """Per message type: how many distinct components reacted to it."""
        seen: dict[str, set] = defaultdict(set)
        for _, type_, reactor in self.flows:
            seen[type_].add(reactor)
        return {t: len(s) for t, s in seen.items()}

    def cycles(self) -> list[list[str]]:
        """Message types that keep causing each other, one list per loop, e.g. ``[['X', 'Y']]``.

        Each list is a strongly connected group of the "caused" graph, walked
        from the type that appeared first; a type that causes itself is a loop too.
        """
        nodes = list(dict.fromkeys(t for pair in self.causes for t in pair))
        edges: dict[str, list[str]] = defaultdict(list)
        for (a, b) in self.causes:
            edges[a].append(b)
        groups = _strongly_connected(nodes, edges)
        loops = []
        for group in groups:
            if len(group) > 1 or (group[0], group[0]) in self.causes:
                loops.append(_walk(sorted(group, key=nodes.index), edges))
        return sorted(loops, key=lambda loop: nodes.index(loop[0]))

    def cycle_edges(self) -> set[tuple[str, str, str]]:
        """The flows that carry a message type lying on a cycle."""
        looping = {t for loop in self.cycles() for t in loop}
        return {flow for flow in self.flows if flow[1] in looping}

    def summary(self) -> str:
        """Fan-in/fan-out per component and any loops, as a few aligned lines."""
        fan_in, fan_out = self.fan_in(), self.fan_out()
        lines = [f"{'component':<12} {'fan-in':>6} {'fan-out':>7}"]
        lines += [f"{c:<12} {fan_in[c]:>6} {fan_out[c]:>7}" for c in self.components]
        loops = self.cycles()
        lines.append("cycles: " + ("; ".join(" → ".join([*loop, loop[0]]) for loop in loops) if loops else "none"))
        return "\n".join(lines)


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so a long chain cannot exhaust the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _walk(group: list[str], edges: dict[str, list[str]]) -> list[str]:
    """Order a loop's members by following causes from its first member, staying inside the group."""
    inside, path, node = set(group), [group[0]], group[0]
    while True:
        step = next((n for n in edges[node] if n in inside and n not in path), None)
        if step is None:
            break
        path.append(step)
        node = step
    return path + [n for n in group if n not in path]


def event_graph(source: "Result | Trace") -> EventGraph:
    """Build the event-flow graph of a run (a Result, or a Trace such as a stopped run's)."""
    trace = _trace_of(source)
    sent: dict[str, tuple[str, str]] = {}
    flows: Counter = Counter()
    emits: dict[str, Counter] = defaultdict(Counter)
    reacts: dict[str, Counter] = defaultdict(Counter)
    causes: Counter = Counter()
    for e in trace.entries:
        if e.kind == "send":
            sent[e.message_id] = (e.at, e.type)
            emits[e.at][e.type] += 1
            if e.causation_id in sent:
                causes[(sent[e.causation_id][1], e.type)] += 1
        elif e.kind == "deliver" and e.at != DEAD_LETTERS and e.message_id in sent:
            emitter, type_ = sent[e.message_id]
            flows[(emitter, type_, e.at)] += 1
            reacts[e.at][type_] += 1
    return EventGraph(flows, dict(emits), dict(reacts), causes)


def loops_in(source: "Result | Trace") -> list[str]:
    """Each message loop of a run as readable text, e.g. ``'X → Y → X'`` (empty when there is none)."""
    return [" → ".join([*loop, loop[0]]) for loop in event_graph(source).cycles()]


__all__ = ["EventGraph", "event_graph", "loops_in"]
