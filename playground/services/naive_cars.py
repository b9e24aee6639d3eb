"""A car rental that forgets what it has undone: every ``CancelCar`` releases the car again.

Reserving is idempotent (the trip id is the key), cancelling is not: a
cancellation delivered twice — a duplicate on the bus, or a redelivery after
the service crashed before acknowledging — releases the car and refunds its
deposit a second time. Exercise 04 starts from it.

>>> cars = ForgetfulCars()
>>> _ = cars.handle("ReserveCar", {"trip_id": "t1", "traveller": "a traveller"})
>>> _ = cars.handle("CancelCar", {"trip_id": "t1"}), cars.handle("CancelCar", {"trip_id": "t1"})
>>> [n.detail["effect"] for n in cars.take_notes() if n.kind == "effect"]
['reserve', 'release', 'release']
"""

from __future__ import annotations

from typing import Any

from playground.services.base import Service, emit, handles


class ForgetfulCars(Service):
    """Rental cars, one per trip; ``cars`` maps a trip to ``"held"`` or ``"released"``."""

    name = "cars"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.cars: dict[str, str] = {}

    @staticmethod
    def ref(trip_id: str) -> str:
        return f"car-{trip_id}"

    @handles("ReserveCar")
    def reserve(self, trip_id: str, traveller: str):
        if trip_id not in self.cars:
            self.cars[trip_id] = "held"
            self.note_effect("reserve", trip_id, ref=self.ref(trip_id))
        return [emit("CarReserved", trip_id=trip_id, car=self.ref(trip_id))]

    @handles("CancelCar")
    def cancel(self, trip_id: str):
        # Forgets to ask whether it already released this car: a repeat releases (and refunds) again.
        self.cars[trip_id] = "released"
        self.note_effect("release", trip_id, ref=self.ref(trip_id))
        return [emit("CarCancelled", trip_id=trip_id, car=self.ref(trip_id))]
