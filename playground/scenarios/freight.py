"""Freight: a multi-day shipment whose milestones are events, with customs clearance as a short saga inside.

The hybrid of the article's logistics case, and the two pure versions of the
same flow for comparison, on the same services:

* ``"hybrid"``: milestones (dispatched, at port, customs hold, released or
  rejected, delivered or returned) are events that tracking, notifications,
  billing and the carrier follow on their own. ``CustomsHoldPlaced`` starts
  the customs saga (validate documents → calculate duties → notify the
  agency); its end is announced as one event, ``CustomsReleased`` or
  ``CustomsRejected``, after any rollback is done.
* ``"choreography"``: customs clearance is choreographed too; the desks
  react to each other's events and undo their own work when they hear that
  the agency refused.
* ``"orchestration"``: one saga runs the whole shipment, telling tracking,
  notifications and billing about every milestone as steps of the process.
  The voyage is a step too: it waits, for days, for the ``ShipmentAtPort``
  the vessel reports (a correlated step, like a message catch event).

>>> result = freight(shipments=6, seed=2, refused=0.5).run()
>>> result.counts()
Counter({'delivered': 5, 'returned': 1})
>>> customs_saga().boundary()
{'starts': 'CustomsHoldPlaced', 'ends': {'completed': 'CustomsReleased', 'compensated': 'CustomsRejected', 'stuck': 'SagaStuck'}, 'inside': ['agency', 'documents', 'duties']}
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from playground.errors import ScenarioError
from playground.orchestration.saga import Announce, Parallel, SagaDefinition, Step
from playground.runtime.checks import fraction, known_names, latencies, positive_number, whole_number
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Latency, Uniform, as_latency
from playground.runtime.randomness import Randomness
from playground.scenarios.base import Scenario, builds
from playground.services.base import Service
from playground.services.freight import Agency, Billing, Carrier, Documents, Duties, Notifications, Port, Tracking
from playground.transport.bus import Bus
from playground.wiring.choreography import choreograph
from playground.wiring.orchestration import adds_orchestrator, orchestrate

HOUR, DAY = 3600.0, 86400.0
#: The sea leg: one to three days.
VOYAGE = Uniform(DAY, 3 * DAY)

#: Default processing times in simulated seconds: people and agencies take minutes, systems seconds.
FREIGHT_LATENCY: dict[str, float | Latency] = {
    "carrier": Uniform(5, 30), "port": Uniform(60, 300), "documents": Uniform(120, 600),
    "duties": Uniform(60, 300), "agency": Uniform(600, 1800), "tracking": Uniform(1, 5),
    "notifications": Uniform(1, 5), "billing": Uniform(5, 20),
}
SERVICE_CLASSES = {cls.name: cls for cls in (Carrier, Port, Documents, Duties, Agency, Tracking, Notifications,
                                             Billing)}

#: The services inside customs clearance, and the events that open and close it.
CUSTOMS_DESKS = ("documents", "duties", "agency")
STARTS = "CustomsHoldPlaced"
ENDS = ("CustomsReleased", "CustomsRejected")
#: Milestones everybody outside may follow (the end of customs is two of them).
MILESTONES = ("ShipmentDispatched", "ShipmentAtPort", "CustomsHoldPlaced", "CustomsReleased", "CustomsRejected",
              "ShipmentDelivered", "ShipmentReturned")


def _follow(events, command: str) -> dict[str, str]:
    return {event: command for event in events}


#: The hybrid's reaction tables: service → {event it hears: command it runs}. The customs desks have none:
#: the saga commands them.
HYBRID_REACTIONS: dict[str, dict[str, str]] = {
    "carrier": {"CustomsReleased": "DeliverShipment", "CustomsRejected": "ReturnShipment"},
    "port": {"ShipmentAtPort": "PlaceCustomsHold"},
    "tracking": _follow(MILESTONES, "RecordMilestone"),
    "notifications": _follow(MILESTONES, "NotifyCustomer"),
    "billing": {"ShipmentDispatched": "ChargeFreight", "CustomsReleased": "ChargeDuties",
                "ShipmentReturned": "ChargeReturn"},
}

#: Without a saga, the agency's answer is what everybody outside hears as the end of customs.
_AGENCY_ANSWERS = {"CustomsReleased": "AgencyCleared", "CustomsRejected": "AgencyRefused"}
CHOREOGRAPHY_REACTIONS: dict[str, dict[str, str]] = {
    **{service: {_AGENCY_ANSWERS.get(event, event): command for event, command in table.items()}
       for service, table in HYBRID_REACTIONS.items()},
    # each desk reacts to the one before it, and undoes its own work when it hears of a refusal
    "documents": {"CustomsHoldPlaced": "ValidateDocuments", "AgencyRefused": "WithdrawDeclaration"},
    "duties": {"DocumentsValidated": "CalculateDuties", "AgencyRefused": "VoidDuties"},
    "agency": {"DutiesCalculated": "NotifyAgency"},
}


def customs_steps() -> list[Step]:
    """The three steps of customs clearance, each with the command that undoes it (the agency's has none)."""
    return [Step("documents", "ValidateDocuments", "WithdrawDeclaration"),
            Step("duties", "CalculateDuties", "VoidDuties"),
            Step("agency", "NotifyAgency", compensation_required=False)]


def customs_saga(stages: list | None = None) -> SagaDefinition:
    """Customs clearance as a saga: started by ``CustomsHoldPlaced``, ended by one announcement.

    ``stages`` replaces the three steps (e.g. to move a step across the boundary).

    >>> print(customs_saga())  # doctest: +NORMALIZE_WHITESPACE
    saga 'customs', started by CustomsHoldPlaced, announces completed: CustomsReleased, compensated: CustomsRejected
      1. documents: ValidateDocuments, undo WithdrawDeclaration, late reply: compensate
      2. duties: CalculateDuties, undo VoidDuties, late reply: compensate
      3. agency: NotifyAgency, no undo
    """
    return SagaDefinition("customs", stages if stages is not None else customs_steps(), started_by=STARTS,
                          announces={"completed": Announce("CustomsReleased", milestone="customs released"),
                                     "compensated": Announce("CustomsRejected", milestone="customs rejected")})


def _tell(name: str, *, bill: bool = False) -> Parallel:
    steps = [Step(f"track_{name}", "RecordMilestone", compensation_required=False),
             Step(f"notify_{name}", "NotifyCustomer", compensation_required=False)]
    if bill:
        steps.append(Step(f"bill_{name}", "ChargeDuties", compensation_required=False))
    return Parallel(*steps, name=f"tell_{name}")


def shipment_saga() -> SagaDefinition:
    """The whole shipment as one saga, from dispatch to door, milestone notices included as steps.

    The dispatch is its first step (``ShipmentDispatched`` starts it); the
    voyage waits for the vessel's ``ShipmentAtPort`` and is undone by sending
    the shipment back.
    """
    return SagaDefinition("shipment", [
        Step("dispatch", "DispatchShipment", compensation_required=False),
        Parallel(Step("track_dispatch", "RecordMilestone", compensation_required=False),
                 Step("notify_dispatch", "NotifyCustomer", compensation_required=False),
                 Step("bill_freight", "ChargeFreight", compensation_required=False), name="tell_dispatch"),
        Step("voyage", "ExpectArrival", "ReturnShipment", correlate=True),
        _tell("arrival"),
        Step("hold", "PlaceCustomsHold", compensation_required=False),
        _tell("hold"),
        *customs_steps(),
        _tell("release", bill=True),
        Step("deliver", "DeliverShipment", compensation_required=False),
        _tell("delivery"),
    ], started_by="ShipmentDispatched")


@adds_orchestrator
def _hybrid(scenario: Freight, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness, reactions=scenario.reactions)
    host.watch(scenario.watch)
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable,
                               snapshots=host.snapshots, reactions=scenario.reactions)


def _choreography(scenario: Freight, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, scenario.reactions, randomness)
    scenario.run_extras.update(reactions=scenario.reactions)


@adds_orchestrator
def _orchestration(scenario: Freight, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    saga = shipment_saga()
    host = orchestrate(bus, services, [saga], randomness, reactions=scenario.reactions)
    host.watch(scenario.watch)
    scenario.run_extras.update(orchestrator=host, saga=saga, compensable=saga.compensable,
                               snapshots=host.snapshots, reactions=scenario.reactions)


#: Each wiring's reaction tables, before a learner's overrides.
FREIGHT_REACTIONS = {"hybrid": HYBRID_REACTIONS, "choreography": CHOREOGRAPHY_REACTIONS, "orchestration": {}}


class Freight(Scenario):
    """``shipments`` shipments dispatched about ``rate`` per simulated second, each sailing ``voyage`` seconds.

    Args:
        refused: the share of shipments whose documents the agency rejects (the same shipments in every
            wiring of a seed).
        voyage: the sea leg, a latency distribution in simulated seconds (default one to three days).
        saga: the customs saga of the hybrid (default :func:`customs_saga`).
        reactions: service → reaction table, replacing that service's table in the chosen wiring
            (e.g. ``{"billing": {...}}``).
        watch: simulated times at which to keep the orchestrator's dashboard (``result.extras["snapshots"]``).
    """

    name = "freight"
    start_event = "ShipmentDispatched"
    unit = "shipments"
    terminals = {"ShipmentDelivered": "delivered", "ShipmentReturned": "returned"}
    wirings = {"hybrid": _hybrid, "choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, shipments: int = 40, seed: int = 0, rate: float = 1 / HOUR, refused: float = 0.0,
                 voyage: float | Latency = VOYAGE,
                 latency: Mapping[str, float | Latency] | None = None, saga: SagaDefinition | None = None,
                 reactions: Mapping[str, Mapping[str, str]] | None = None, watch: tuple = (),
                 wiring: str = "hybrid", faults: FaultPlan | None = None, horizon: float | None = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        self.shipments = whole_number("shipments", shipments)
        self.rate = positive_number("rate", rate)
        self.refused = fraction("refused", refused)
        self.voyage = as_latency(voyage, what="the voyage")
        self.latency = latencies(latency, FREIGHT_LATENCY)
        if saga is not None and not isinstance(saga, SagaDefinition):
            raise ScenarioError(f"saga must be a SagaDefinition, not {type(saga).__name__}.")
        if saga is not None and wiring != "hybrid":
            raise ScenarioError(f"saga= replaces the customs saga of the hybrid wiring; the {wiring} wiring has none.")
        self.saga = saga or customs_saga()
        self.reactions = self._reactions(reactions)
        self.watch = sorted(positive_number("a watch time", t) for t in watch)

    def _reactions(self, given: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
        given = dict(given or {})
        known_names("service", given, SERVICE_CLASSES)
        for service, table in given.items():
            if not isinstance(table, Mapping):
                raise ScenarioError(f"The reactions of {service} must map an event to a command, e.g. "
                                    f"{{'CustomsReleased': 'ChargeDuties'}}, not {table!r}.")
        tables = {service: dict(table) for service, table in FREIGHT_REACTIONS[self.wiring].items()}
        tables.update({service: dict(table) for service, table in given.items()})
        return tables

    def planned(self) -> int:
        return self.shipments

    def refused_shipments(self) -> set[str]:
        """The shipments whose documents the agency rejects: drawn from the seed alone, so every wiring agrees."""
        randomness = Randomness(self.seed)
        return {s for s in map(_shipment, range(self.shipments)) if randomness.draw(f"refusal:{s}") < self.refused}

    def default_horizon(self) -> float:
        return self.shipments / self.rate + 10 * max(self.voyage.mean, DAY) + 7 * DAY

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services: dict[str, Service] = {}
        for name, cls in SERVICE_CLASSES.items():
            extra: dict[str, Any] = {"refuse": self.refused_shipments()} if name == "agency" else {}
            services[name] = cls(latency=self.latency[name], rng=randomness.stream(name), **extra)
        return services

    def schedule(self, randomness: Randomness | None = None) -> list[tuple[float, str, dict[str, Any]]]:
        """Every dispatch and every arrival at port of the workload, in time order: ``(time, command, payload)``.

        The same seed gives the same schedule, so a run's arrivals can be known before it runs.
        """
        randomness = randomness or Randomness(self.seed)
        rng, sailings = randomness.stream("workload"), randomness.stream("voyage")
        plan: list[tuple[float, int, str, dict[str, Any]]] = []
        now = 0.0
        for i in range(self.shipments):
            now += rng.expovariate(self.rate)
            shipment_id = _shipment(i)
            order = {"shipment_id": shipment_id, "shipper": f"shipper-{rng.randrange(1, 31):02d}",
                     "value": round(rng.uniform(2_000, 80_000), 2)}
            plan.append((now, 0, "DispatchShipment", order))
            plan.append((now + self.voyage.sample(sailings), 1, "ArriveAtPort", {"shipment_id": shipment_id}))
        # Dispatches come from shippers; arrivals from the vessels, days later, in whatever order they dock.
        return [(at, command, payload) for at, _, command, payload in sorted(plan, key=lambda p: (p[0], p[1]))]

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        for at, command, payload in self.schedule(randomness):
            await asyncio.sleep(max(at - bus.now(), 0.0))
            if command == "DispatchShipment":
                self._ids.append(payload["shipment_id"])
            bus.publish(bus.message(command, payload, sender="shippers" if command == "DispatchShipment" else "vessels",
                                    correlation_id=payload["shipment_id"]))


def _shipment(i: int) -> str:
    return f"shipment-{i + 1:03d}"


@builds(Freight)
def freight(**params: Any) -> Freight:
    """Build the freight scenario; call ``.run()`` on it. See :class:`Freight` for parameters."""
    return Freight(**params)
