"""Mermaid diagrams from a trace: one transaction as a sequence diagram, the event-flow graph as a flowchart.

JupyterLab 4 draws ``text/vnd.mermaid`` natively, so the diagrams are
returned as :class:`Mermaid` objects: shown as pictures in a notebook, plain
text anywhere else (and in tests, which read them line by line).

>>> from playground.scenarios import order_flow
>>> diagram = sequence(order_flow(orders=2, seed=1).run(), "order-0001")
>>> print("\\n".join(diagram.source.splitlines()[:4]))
sequenceDiagram
    participant customers
    participant orders
    participant invoices
"""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from typing import TYPE_CHECKING

from playground.errors import PlaygroundError
from playground.runtime.mermaid import Mermaid
from playground.viz.style import colour_for

if TYPE_CHECKING:  # pragma: no cover
    from playground.analysis.event_graph import EventGraph
    from playground.runtime.result import Result
    from playground.runtime.trace import Trace

__all__ = ["LOOP_COLOUR", "Mermaid", "flowchart", "sequence"]

#: The colour loops are drawn in (Okabe-Ito vermillion).
LOOP_COLOUR = "#D55E00"


def _id(name: str) -> str:
    """A Mermaid-safe identifier for a component name."""
    return re.sub(r"\W", "_", name)


def _label(text: str) -> str:
    # ';' ends a statement and '#' starts an entity in Mermaid; quotes would close a label.
    return re.sub(r"[;#\"]", " ", text)


#: Characters per line of a note: one long dead-letter reason would otherwise widen the whole diagram
#: until its text shrinks to a few pixels.
NOTE_WIDTH = 60


def _note(text: str) -> str:
    """A note's text, wrapped onto lines of at most :data:`NOTE_WIDTH` characters."""
    return "<br/>".join(textwrap.wrap(_label(text), NOTE_WIDTH, break_long_words=True)) or " "


def _participant(name: str) -> str:
    ident = _id(name)
    return f"    participant {ident}" if ident == name else f"    participant {ident} as {name}"


def sequence(source: "Result | Trace", correlation_id: str, *, effects: bool = True, times: bool = True) -> Mermaid:
    """One business transaction as a sequence diagram: every delivery an arrow, faults and effects as notes.

    A message that never arrived is drawn as an arrow ending in a cross;
    one that arrived more than once (duplicate, redelivery) gets one arrow per arrival.
    """
    trace = getattr(source, "trace", source)
    entries = [e for e in trace.entries if e.correlation_id == correlation_id]
    if not entries:
        raise PlaygroundError(f"The trace has no entries for {correlation_id!r}; check the id "
                              "(or whether its events carry a correlation id at all).")
    arrivals: dict[tuple[str, str], list] = defaultdict(list)
    for e in entries:
        if e.kind == "deliver":
            arrivals[(e.message_id, e.at)].append(e)
    lines = ["sequenceDiagram"]
    seen: list[str] = []
    body: list[str] = []

    def meet(name: str) -> str:
        if name not in seen:
            seen.append(name)
        return _id(name)

    for e in entries:
        when = f" ({e.time:.2f} s)" if times else ""
        if e.kind == "send":
            sender = meet(e.at)
            targets = (e.detail or {}).get("to", ())
            if not targets:
                body.append(f"    Note over {sender}: {_note(f'publishes {e.type}, nobody listens{when}')}")
            for inbox in targets:
                got = arrivals.get((e.message_id, inbox), [])
                target = meet(inbox)
                if not got:
                    body.append(f"    {sender}-x{target}: {_label(e.type)} (never arrived)")
                for n, arrival in enumerate(got):
                    again = " again" if n else ""
                    at = f" ({arrival.time:.2f} s)" if times else ""
                    body.append(f"    {sender}->>{target}: {_label(e.type)}{again}{at}")
        elif e.kind == "effect" and effects:
            what = e.detail.get("effect", "effect")
            amount = f" {e.detail['amount']:.2f}" if isinstance(e.detail.get("amount"), (int, float)) else ""
            body.append(f"    Note over {meet(e.at)}: {_note(what + amount + when)}")
        elif e.kind == "fault":
            detail = e.detail or {}
            what = detail.get("fault", "fault") + (f" {detail['phase']}" if "phase" in detail else "")
            body.append(f"    Note over {meet(e.at)}: {_note(f'fault: {what}{when}')}")
        elif e.kind == "dead_letter":
            reason = e.detail.get("reason", "")
            body.append(f"    Note over {meet(e.at)}: {_note(f'dead-lettered: {reason}{when}')}")
    lines += [_participant(name) for name in seen]
    lines += body
    return Mermaid("\n".join(lines))


def _node(name: str) -> str:
    # A prefix keeps names such as "end" from colliding with flowchart keywords.
    return "c_" + _id(name)


def flowchart(graph: "EventGraph", *, counts: bool = True) -> Mermaid:
    """The event-flow graph as a flowchart: components as boxes, one arrow per observed flow.

    Components that only send (the workload) are drawn as rounded stadiums;
    flows carrying a message type that lies on a loop are drawn thick in orange.
    """
    lines = ["flowchart LR"]
    senders_only = [c for c in graph.components if c not in graph.reacts]
    for name in graph.components:
        shape = f'(["{name}"])' if name in senders_only else f'["{name}"]'
        lines.append(f"    {_node(name)}{shape}")
    looping = graph.cycle_edges()
    styled = []
    for n, ((emitter, type_, reactor), count) in enumerate(graph.flows.items()):
        label = f"{type_} ×{count}" if counts else type_
        lines.append(f'    {_node(emitter)} -->|"{_label(label)}"| {_node(reactor)}')
        if (emitter, type_, reactor) in looping:
            styled.append(n)
    if styled:
        lines.append(f"    linkStyle {','.join(map(str, styled))} stroke:{LOOP_COLOUR},stroke-width:3px")
    for name in graph.components:
        lines.append(f"    style {_node(name)} stroke:{colour_for(name)},stroke-width:2px")
    return Mermaid("\n".join(lines))
