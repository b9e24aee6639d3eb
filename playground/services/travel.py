"""The travel domain's services: flights, hotels and cars, each holding reservations per trip.

The trip id is the idempotency key: a repeated reservation or cancellation
answers as the first one did and changes nothing, and a cancellation that
arrives before its reservation leaves a tombstone so the reservation, when
it finally comes, is refused instead of held forever. Failures can be forced
per service, which is how a course chapter makes each step fail in turn.

>>> hotels = Hotels(fail="once")
>>> [e.type for e in hotels.handle("ReserveHotel", {"trip_id": "t1", "traveller": "a traveller"})]
['HotelUnavailable']
>>> [e.type for e in hotels.handle("ReserveHotel", {"trip_id": "t1", "traveller": "a traveller"})]
['HotelReserved']
>>> [n.detail["effect"] for n in hotels.take_notes() if n.kind == "effect"]
['reserve']
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from playground.errors import ScenarioError
from playground.runtime.randomness import chance
from playground.services.base import NotYet, Service, emit, handles

_NAMED = {"never": 0, "once": 1, "twice": 2}


def failure_rule(value: Any, what: str) -> tuple[str, float]:
    """Parse a forced-failure setting: ``"never"``, ``"always"``, ``"once"``, ``"twice"``,
    a whole number n (the first n attempts per trip fail) or a fraction (that share of attempts fail, seeded).

    >>> failure_rule("always", "x"), failure_rule(2, "x"), failure_rule(0.25, "x")
    (('fraction', 1.0), ('first', 2), ('fraction', 0.25))
    """
    if value is None:
        return ("first", 0)
    if value == "always":
        return ("fraction", 1.0)
    if isinstance(value, str) and value in _NAMED:
        return ("first", _NAMED[value])
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return ("first", value)
    if isinstance(value, float) and 0 <= value <= 1:
        return ("fraction", value)
    raise ScenarioError(f"{what} must be 'never', 'always', 'once', 'twice', a whole number of failing attempts "
                        f"or a fraction between 0.0 and 1.0, not {value!r}.")


class Reservations(Service):
    """A reservation service; subclasses name the thing they hold and declare their two commands."""

    thing = ""  # "Flight", "Hotel", "Car": the prefix of every event name

    def __init__(self, *, fail: Any = None, fail_cancel: Any = None, capacity: int | None = None,
                 lock: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1):
            raise ScenarioError(f"capacity for {self.name} must be a whole number of at least 1, not {capacity!r}.")
        #: how many reservations can be held at once (None: as many as asked for)
        self.capacity = capacity
        #: semantic lock: a reservation stays *pending* until its trip confirms it; a request that finds every
        #: place pending waits (comes back later) instead of being refused on the strength of unfinished trips
        self.lock = bool(lock)
        self.fail = failure_rule(fail, f"fail for {self.name}")
        self.fail_cancel = failure_rule(fail_cancel, f"fail_cancel for {self.name}")
        self.bookings: dict[str, dict[str, str]] = {}
        self.tries: Counter = Counter()

    def _fails(self, action: str, trip_id: str, rule: tuple[str, float]) -> bool:
        self.tries[(action, trip_id)] += 1
        kind, amount = rule
        if kind == "first":
            return self.tries[(action, trip_id)] <= amount
        return chance(self.rng, amount)

    def _reserve(self, trip_id: str) -> list:
        thing, field = self.thing, self.thing.lower()
        booking = self.bookings.get(trip_id)
        if booking is not None and booking["status"] == "void":
            return [emit(f"{thing}Unavailable", trip_id=trip_id,
                         reason="the trip was cancelled before this reservation arrived")]
        if booking is not None:  # already done: answer the same, change nothing
            return [emit(f"{thing}Reserved", trip_id=trip_id, **{field: booking["ref"]})]
        if self.capacity is not None and len(self.held()) >= self.capacity:
            pending = [t for t, b in self.bookings.items() if b["status"] == "held" and not b.get("confirmed")]
            if self.lock and pending:
                raise NotYet(f"every {field} is held, {len(pending)} of them by trips still being booked")
            return [emit(f"{thing}Unavailable", trip_id=trip_id, reason=f"every {field} is taken")]
        if self._fails("reserve", trip_id, self.fail):
            return [emit(f"{thing}Unavailable", trip_id=trip_id, reason=f"no {field} available")]
        ref = f"{field}-{trip_id}"
        self.bookings[trip_id] = {"status": "held", "ref": ref}
        self.note_state(trip_id, None, "held")
        self.note_effect("reserve", trip_id, ref=ref)
        return [emit(f"{thing}Reserved", trip_id=trip_id, **{field: ref})]

    def _cancel(self, trip_id: str) -> list:
        thing, field = self.thing, self.thing.lower()
        booking = self.bookings.get(trip_id)
        if booking is not None and booking["status"] != "held":
            return [emit(f"{thing}Cancelled", trip_id=trip_id, **{field: booking["ref"]})]
        if self._fails("cancel", trip_id, self.fail_cancel):
            return [emit(f"{thing}CancellationFailed", trip_id=trip_id, reason=f"the {field} system did not answer")]
        if booking is None:
            # Nothing to release yet: remember the cancellation so a late reservation is refused.
            self.bookings[trip_id] = {"status": "void", "ref": ""}
            self.note_state(trip_id, None, "void")
            return [emit(f"{thing}Cancelled", trip_id=trip_id, **{field: ""})]
        booking["status"] = "released"
        self.note_state(trip_id, "held", "released")
        self.note_effect("release", trip_id, ref=booking["ref"])
        return [emit(f"{thing}Cancelled", trip_id=trip_id, **{field: booking["ref"]})]

    def _confirm(self, trip_id: str) -> list:
        thing, field = self.thing, self.thing.lower()
        booking = self.bookings.get(trip_id)
        if booking is not None and booking["status"] == "held" and not booking.get("confirmed"):
            booking["confirmed"] = True
            self.note_state(trip_id, "held", "confirmed")
        return [emit(f"{thing}Confirmed", trip_id=trip_id, **{field: booking["ref"] if booking else ""})]

    def held(self) -> list[str]:
        """Trips holding a reservation here right now."""
        return [trip for trip, b in self.bookings.items() if b["status"] == "held"]


class Flights(Reservations):
    """Seats on flights."""

    name, thing = "flights", "Flight"

    @handles("ReserveFlight")
    def reserve(self, trip_id: str, traveller: str):
        return self._reserve(trip_id)

    @handles("CancelFlight")
    def cancel(self, trip_id: str):
        return self._cancel(trip_id)


class Hotels(Reservations):
    """Hotel rooms."""

    name, thing = "hotels", "Hotel"

    @handles("ReserveHotel")
    def reserve(self, trip_id: str, traveller: str):
        return self._reserve(trip_id)

    @handles("CancelHotel")
    def cancel(self, trip_id: str):
        return self._cancel(trip_id)

    @handles("ConfirmHotel")
    def confirm(self, trip_id: str):
        return self._confirm(trip_id)


class Cars(Reservations):
    """Rental cars."""

    name, thing = "cars", "Car"

    @handles("ReserveCar")
    def reserve(self, trip_id: str, traveller: str):
        return self._reserve(trip_id)

    @handles("CancelCar")
    def cancel(self, trip_id: str):
        return self._cancel(trip_id)
