"""Contracts of the travel domain: a trip is a flight, a hotel room and a rental car, booked together.

Each reservation service answers a reservation with ``…Reserved`` or
``…Unavailable`` and a cancellation with ``…Cancelled`` or
``…CancellationFailed``; the trip id is the idempotency key of every command.
"""

from playground.catalog.base import MessageSpec

S = str



def _reservations(thing: str, owner: str) -> list[MessageSpec]:
    """The six contracts of one reservation service (the three differ only in names)."""
    field = thing.lower()
    return [
        MessageSpec(f"Reserve{thing}", "command", owner, {"trip_id": S, "traveller": S},
                    f"Reserve a {field} for a trip."),
        MessageSpec(f"Cancel{thing}", "command", owner, {"trip_id": S},
                    f"Release a trip's {field} reservation."),
        MessageSpec(f"{thing}Reserved", "event", owner, {"trip_id": S, field: S},
                    f"A {field} is held for the trip."),
        MessageSpec(f"{thing}Unavailable", "event", owner, {"trip_id": S, "reason": S},
                    f"No {field} could be reserved for the trip."),
        MessageSpec(f"{thing}Cancelled", "event", owner, {"trip_id": S, field: S},
                    f"The trip's {field} reservation is released (or never existed)."),
        MessageSpec(f"{thing}CancellationFailed", "event", owner, {"trip_id": S, "reason": S},
                    f"The {field} reservation could not be released this time; try again."),
    ]


TRAVEL_SPECS = [
    MessageSpec("BookTrip", "command", "orchestrator", {"trip_id": S, "traveller": S},
                "Book a flight, a hotel and a car for one trip, or none of them."),
    *_reservations("Flight", "flights"),
    *_reservations("Hotel", "hotels"),
    MessageSpec("ConfirmHotel", "command", "hotels", {"trip_id": S},
                "Make a trip's room reservation final: it is no longer pending on the rest of the trip."),
    MessageSpec("HotelConfirmed", "event", "hotels", {"trip_id": S, "hotel": S},
                "A trip's room reservation is final."),
    *_reservations("Car", "cars"),
]
