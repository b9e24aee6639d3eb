"""The parcel domain: a warehouse that weighs parcels, and billing and tracking that read the weight.

The warehouse writes ``ParcelWeighed`` in whatever shape the run's catalog
declares for it, from the facts it knows (``parcel_id``, ``order_id``,
``weight_kg`` and ``weight_g``): publishing a new version of the contract is
a change to the catalog, not to its code. Billing and tracking read
``weight_kg``; a migrated consumer overrides their handler and keeps
:meth:`Billing.charge` / :meth:`Tracking.record`.

>>> Billing().handle("BillParcel", {"parcel_id": "p1", "weight_kg": 2.0})
[Emit(type='ParcelBilled', payload={'parcel_id': 'p1', 'fee': 4.9})]
>>> Tracking().handle("TrackParcel", {"parcel_id": "p1", "order_id": "o1", "weight_kg": 1.001})
[Emit(type='ParcelTracked', payload={'parcel_id': 'p1', 'grams': 1001})]
"""

from __future__ import annotations

from typing import Any

from playground.errors import PlaygroundError
from playground.services.base import Service, emit, handles

#: What shipping a parcel costs: a base fee plus a price per kilogram.
BASE_FEE, PER_KG = 2.5, 1.2


def fee_for(grams: int) -> float:
    """The fee for a parcel of ``grams``, as billing computes it from kilograms."""
    return round(BASE_FEE + PER_KG * (grams / 1000), 2)


class Warehouse(Service):
    """Weighs parcels (in whole grams) and announces them in the run's version of ``ParcelWeighed``."""

    name = "warehouse"

    @handles("WeighParcel")
    def weigh(self, parcel_id: str, order_id: str, grams: int):
        facts = {"parcel_id": parcel_id, "order_id": order_id, "weight_kg": grams / 1000, "weight_g": grams}
        spec = self.catalog["ParcelWeighed"]
        unknown = [f for f in spec.fields if f not in facts]
        if unknown:
            raise PlaygroundError(f"the warehouse cannot fill field '{unknown[0]}' of ParcelWeighed version "
                                  f"{spec.version}; it knows {', '.join(facts)}")
        return [emit("ParcelWeighed", **{f: facts[f] for f in spec.fields})]


class Billing(Service):
    """Charges a base fee plus a price per kilogram, once per parcel."""

    name = "billing"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.fees: dict[str, float] = {}

    def charge(self, parcel_id: str, weight_kg: float) -> list:
        """Charge for ``parcel_id`` at ``weight_kg`` and announce it (a repeat charges nothing new)."""
        self.fees.setdefault(parcel_id, round(BASE_FEE + PER_KG * weight_kg, 2))
        return [emit("ParcelBilled", parcel_id=parcel_id, fee=self.fees[parcel_id])]

    @handles("BillParcel")
    def bill(self, parcel_id: str, weight_kg: float):
        return self.charge(parcel_id, weight_kg)


class Tracking(Service):
    """Starts tracking a parcel and records its weight in whole grams."""

    name = "tracking"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.grams: dict[str, int] = {}

    def record(self, parcel_id: str, grams: int) -> list:
        """Record ``grams`` for ``parcel_id`` and announce that it is tracked."""
        self.grams.setdefault(parcel_id, grams)
        return [emit("ParcelTracked", parcel_id=parcel_id, grams=self.grams[parcel_id])]

    @handles("TrackParcel")
    def track(self, parcel_id: str, order_id: str, weight_kg: float):
        # round(), not int(): 1.001 kg is 1000.9999999999999 g in floating point.
        return self.record(parcel_id, round(weight_kg * 1000))
