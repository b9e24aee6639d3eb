"""Parcels weighed by the warehouse, billed and tracked by two consumers: the contract-evolution exercise's run.

``catalog`` is the run's catalog — which version of ``ParcelWeighed`` the
warehouse writes and which version of ``BillParcel`` / ``TrackParcel`` each
consumer reads it with (a :class:`~playground.contracts.ContractRegistry`
hands one out per stage with ``registry.catalog(...)``). ``billing`` and
``tracking`` are the consumers' classes: the originals, or migrated ones.
The true weight of every parcel is kept in ``result.extras["grams"]``, so a
check can compare what each consumer made of it.

>>> result = parcel_flow(parcels=5, seed=1).run()
>>> result.counts(), sorted(result.services["billing"].fees) == sorted(result.extras["grams"])
(Counter({'tracked+billed': 5}), True)
"""

from __future__ import annotations

import asyncio
from typing import Any

from playground.catalog import CATALOG, Catalog
from playground.errors import ScenarioError
from playground.runtime.checks import positive_number, whole_number
from playground.runtime.randomness import Randomness
from playground.scenarios.base import Scenario, builds
from playground.services.base import Service
from playground.services.parcels import Billing, Tracking, Warehouse
from playground.transport.bus import Bus
from playground.wiring.choreography import choreograph

#: Who reacts to what: both consumers hear every ParcelWeighed.
PARCEL_REACTIONS: dict[str, dict[str, str]] = {
    "warehouse": {},
    "billing": {"ParcelWeighed": "BillParcel"},
    "tracking": {"ParcelWeighed": "TrackParcel"},
}
#: Processing times in simulated seconds.
PARCEL_LATENCY = {"warehouse": 0.05, "billing": 0.1, "tracking": 0.02}


def _choreography(scenario: "ParcelFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, PARCEL_REACTIONS, randomness)


def _consumer(role: str, cls: Any, base: type[Service]) -> type[Service]:
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ScenarioError(f"{role} must be a class based on {base.__name__}, not {cls!r}.")
    return cls


class ParcelFlow(Scenario):
    """``parcels`` parcels of 0.1–30 kg (whole grams) arriving at ``rate`` per simulated second."""

    name = "parcel flow"
    start_event = "WeighParcel"
    unit = "parcels"
    terminals = {"ParcelBilled": "billed", "ParcelTracked": "tracked"}
    wirings = {"choreography": _choreography}

    def __init__(self, *, parcels: int = 30, seed: int = 0, rate: float = 2.0, catalog: Catalog | None = None,
                 billing: type[Service] = Billing, tracking: type[Service] = Tracking, **params: Any):
        super().__init__(seed=seed, wiring="choreography", horizon=params.pop("horizon", None),
                         faults=params.pop("faults", None))
        if params:
            raise ScenarioError(f"The parcel flow takes no parameter called {sorted(params)[0]!r}.")
        self.parcels = whole_number("parcels", parcels)
        self.rate = positive_number("rate", rate)
        if catalog is not None and not isinstance(catalog, Catalog):
            raise ScenarioError(f"catalog must be a Catalog (registry.catalog() gives one), not {type(catalog).__name__}.")
        self.catalog = catalog if catalog is not None else CATALOG
        missing = [s.name for s in CATALOG if s.owner in PARCEL_REACTIONS and s.name not in self.catalog]
        if missing:
            raise ScenarioError(f"The run's catalog lacks {', '.join(missing)}; build it from the playground's "
                                "catalog and replace the versions you change.")
        self.billing = _consumer("billing", billing, Billing)
        self.tracking = _consumer("tracking", tracking, Tracking)

    def planned(self) -> int:
        return self.parcels

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        return {"warehouse": Warehouse(latency=PARCEL_LATENCY["warehouse"]),
                "billing": self.billing(latency=PARCEL_LATENCY["billing"]),
                "tracking": self.tracking(latency=PARCEL_LATENCY["tracking"])}

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        grams = self.run_extras["grams"] = {}
        for i in range(self.parcels):
            await asyncio.sleep(rng.expovariate(self.rate))
            parcel_id = f"parcel-{i + 1:04d}"
            grams[parcel_id] = rng.randint(100, 30_000)
            payload = {"parcel_id": parcel_id, "order_id": f"order-{rng.randrange(1, 500):04d}",
                       "grams": grams[parcel_id]}
            self.begin(bus, "WeighParcel", payload, id=parcel_id, sender="dock")


@builds(ParcelFlow)
def parcel_flow(**params: Any) -> ParcelFlow:
    """Build the parcel flow; call ``.run()`` on it. See :class:`ParcelFlow` for parameters."""
    return ParcelFlow(**params)
