"""Contracts of the parcel domain, for the contract-evolution exercise.

The warehouse weighs each parcel and announces ``ParcelWeighed``; billing
charges for it by weight and tracking records its weight. Version 1 of
``ParcelWeighed`` carries the weight in kilograms as a number
(``weight_kg``); the warehouse's scales measure whole grams, and the change
request is to carry ``weight_g`` instead.
"""

from playground.catalog.base import MessageSpec

S, N, I = str, float, int

PARCEL_SPECS = [
    MessageSpec("WeighParcel", "command", "warehouse", {"parcel_id": S, "order_id": S, "grams": I},
                "Weigh a parcel on the warehouse's scales."),
    MessageSpec("ParcelWeighed", "event", "warehouse", {"parcel_id": S, "order_id": S, "weight_kg": N},
                "A parcel was weighed."),
    MessageSpec("BillParcel", "command", "billing", {"parcel_id": S, "weight_kg": N},
                "Charge for shipping a parcel, by weight."),
    MessageSpec("ParcelBilled", "event", "billing", {"parcel_id": S, "fee": N}, "A parcel's shipping was charged."),
    MessageSpec("TrackParcel", "command", "tracking", {"parcel_id": S, "order_id": S, "weight_kg": N},
                "Start tracking a parcel and record its weight."),
    MessageSpec("ParcelTracked", "event", "tracking", {"parcel_id": S, "grams": I}, "A parcel is being tracked."),
]
