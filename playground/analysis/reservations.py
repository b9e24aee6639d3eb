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
