"""Where a sub-process begins and ends, measured from the trace: what crosses its edge, and when.

A hybrid keeps a short, complex process (customs clearance) inside an
orchestrator and lets everything around it react to events. These functions
read a run and say what crossed that edge — which message types went in and
came out — how long the work inside took, and, when it had to be rolled back,
whether anybody outside heard about the failure before the rollback was over.

>>> from playground.scenarios.freight import freight
>>> run = freight(shipments=6, seed=2, refused=0.5).run()
>>> sorted(crossings(run, inside=("orchestrator", "documents", "duties", "agency"))["out"].items())
[('CustomsRejected', 1), ('CustomsReleased', 5)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: The events that decide customs, whichever wiring sent them.
DECISIONS = ("AgencyCleared", "AgencyRefused")
#: The effects that undo a customs step, by the step they undo.
UNDO_EFFECTS = {"withdraw": "documents", "void": "duties"}


def crossings(result: Result, inside: Iterable[str]) -> dict[str, Counter]:
    """Distinct messages, by type, that crossed the edge of ``inside`` (component names) in each direction.

    ``"in"``: sent outside, delivered inside; ``"out"``: sent inside, delivered outside.
    A message heard by four consumers outside counts once.
    """
    inside = set(inside)
    sent_by: dict[str, str] = {}
    seen: dict[str, set[str]] = {"in": set(), "out": set()}
    counts = {"in": Counter(), "out": Counter()}
    for e in result.trace.entries:
        if e.kind == "send":
            sent_by[e.message_id] = e.at
        elif e.kind == "deliver" and e.message_id in sent_by and e.at != DEAD_LETTERS:
            origin = sent_by[e.message_id] in inside
            if origin == (e.at in inside):
                continue
            way = "out" if origin else "in"
            if e.message_id not in seen[way]:
                seen[way].add(e.message_id)
                counts[way][e.type] += 1
    return counts


def clearance_times(result: Result, until: Iterable[str] = DECISIONS) -> dict[str, float]:
    """Seconds each shipment waited at port for customs: from ``ShipmentAtPort`` to the agency's answer.

    ``until`` names other events to stop the clock at, e.g. ``("CustomsReleased", "CustomsRejected")``
    for the end of the whole sub-process.
    """
    until = set(until)
    arrived: dict[str, float] = {}
    decided: dict[str, float] = {}
    for e in result.trace.where(kind="send"):
        if e.type == "ShipmentAtPort":
            arrived.setdefault(e.correlation_id, e.time)
        elif e.type in until and e.correlation_id in arrived:
            decided.setdefault(e.correlation_id, e.time - arrived[e.correlation_id])
    return decided


def arrivals(result: Result) -> dict[str, float]:
    """When each shipment reached port (its ``ShipmentAtPort`` was sent)."""
    return {e.correlation_id: e.time for e in result.trace.where(kind="send", type="ShipmentAtPort")}


def waited_during(result: "Result", start: float, end: float, until: Iterable[str] = DECISIONS) -> list[float]:
    """Seconds at port waiting for customs, for each shipment that reached port in ``[start, end)``, in arrival order."""
    waited, came = clearance_times(result, until), arrivals(result)
    return [waited[s] for s, at in sorted(came.items(), key=lambda kv: kv[1]) if start <= at < end and s in waited]


def heard_by(result: "Result", component: str) -> dict[str, list[str]]:
    """The message types each transaction delivered to ``component``, in order (what a follower heard)."""
    heard: dict[str, list[str]] = {}
    for e in result.trace.where(kind="deliver", at=component):
        heard.setdefault(e.correlation_id, []).append(e.type)
    return heard


@dataclass(frozen=True)
class Rejection:
    """One shipment whose documents were refused: what was undone, and when the outside heard of it."""

    shipment: str
    refused_at: float               # the agency's refusal
    undone: tuple[str, ...]         # steps undone, in the order they were undone
    undone_at: float | None         # the last undo
    heard_as: str | None            # what the outside heard as the end of customs (None: nothing)
    heard_at: float | None          # when the first consumer outside received it

    @property
    def heard_before_undone(self) -> bool:
        """Did a consumer outside hear of the rejection while its rollback was still under way?"""
        return self.heard_at is not None and self.undone_at is not None and self.heard_at < self.undone_at


def rejections(result: Result, inside: Iterable[str]) -> list[Rejection]:
    """Every refused shipment: its rollback (compensations, or undo effects in a choreography) and its announcement."""
    inside = set(inside)
    refused: dict[str, float] = {}
    undone: dict[str, list[tuple[float, str]]] = {}
    sent_by: dict[str, tuple[str, str]] = {}
    heard: dict[str, tuple[str, float]] = {}
    for e in result.trace.entries:
        if e.kind == "send":
            sent_by[e.message_id] = (e.at, e.type)
            if e.type == "AgencyRefused":
                refused.setdefault(e.correlation_id, e.time)
        elif e.kind == "compensate":
            undone.setdefault(e.correlation_id, []).append((e.time, e.detail["step"]))
        elif e.kind == "effect" and e.detail.get("effect") in UNDO_EFFECTS and e.at != "orchestrator":
            if not any(step == UNDO_EFFECTS[e.detail["effect"]] for _, step in undone.get(e.correlation_id, [])):
                undone.setdefault(e.correlation_id, []).append((e.time, UNDO_EFFECTS[e.detail["effect"]]))
        elif (e.kind == "deliver" and e.correlation_id in refused and e.at not in inside
              and e.at != DEAD_LETTERS and e.correlation_id not in heard):
            sender, type_ = sent_by.get(e.message_id, ("", ""))
            if sender in inside:
                heard[e.correlation_id] = (type_, e.time)
    rows = []
    for shipment, at in sorted(refused.items(), key=lambda kv: kv[1]):
        steps = undone.get(shipment, [])
        heard_as, heard_at = heard.get(shipment, (None, None))
        rows.append(Rejection(shipment, at, tuple(step for _, step in steps),
                              max((t for t, _ in steps), default=None), heard_as, heard_at))
    return rows
