"""A trip that does not complete must not keep anything reserved: the saga's promise, checked from the trace.

A reservation service records a ``reserve`` effect when it holds something
and a ``release`` effect when it lets it go. A trip that ended any way but
*completed* — compensated, stuck, or forgotten by an orchestrator that lost
its memory — should have released everything it held; whatever is still
held is a seat, a room or a car that nobody will use and nobody will sell.

>>> from playground.scenarios import travel_booking
>>> stranded_reservations(travel_booking(trips=5, seed=1, fail={"car": "always"}).run())
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.analysis.invariants import Violation

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def stranded_reservations(result: "Result") -> list[Violation]:
    """One violation per (service, transaction) still holding a reservation although it did not complete."""
    held: dict[tuple[str, str], object] = {}
    for e in result.trace.entries:
        if e.kind != "effect" or not isinstance(e.detail, dict):
            continue
        if e.detail.get("effect") == "reserve":
            held[(e.at, e.detail["key"])] = e
        elif e.detail.get("effect") == "release":
            held.pop((e.at, e.detail["key"]), None)
    found = []
    for (service, key), entry in held.items():
        outcome = result.outcomes.get(key, "unknown")
        if outcome != "completed":
            found.append(Violation(
                "reservations-released", key,
                f"{key} ended {outcome} but {service} still holds what it reserved at {entry.time:.2f} s; "
                "undo every completed step of a trip that does not complete.", (entry.seq,)))
    return found


def refused_for_unfinished(result: "Result", service: str = "hotels") -> list[Violation]:
    """Refusals a saga without isolation caused: a trip was refused while a trip that later gave its place
    back held one — it read another saga's uncommitted reservation as final.

    Reads ``service``'s ``reserve``/``release`` effects and its ``…Unavailable`` replies from the trace.
    """
    holding: dict[str, float] = {}          # trip → when it reserved
    released: dict[str, float] = {}         # trip → when it let go (its saga rolled back)
    refusals = []
    for e in result.trace.entries:
        if e.at != service:
            continue
        if e.kind == "effect" and isinstance(e.detail, dict):
            if e.detail.get("effect") == "reserve":
                holding[e.detail["key"]] = e.time
            elif e.detail.get("effect") == "release":
                released[e.detail["key"]] = e.time
        elif e.kind == "send" and e.type.endswith("Unavailable"):
            held_then = [t for t, since in holding.items() if since <= e.time and released.get(t, e.time + 1) > e.time]
            refusals.append((e, held_then))
    found = []
    for e, held_then in refusals:
        gave_back = sorted((released[t], t) for t in held_then if t in released)
        if gave_back:
            when, trip = gave_back[0]
            found.append(Violation(
                "refused-for-an-unfinished-trip", e.correlation_id,
                f"{e.correlation_id} was refused at {e.time:.1f} s while {trip} held a place it gave back at "
                f"{when:.1f} s; {service} read an unfinished saga's reservation as final (a semantic lock would "
                "have made the request wait).", (e.seq,)))
    return found
