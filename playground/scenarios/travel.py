"""Travel booking: a flight, then a hotel, then a car — all of them or none, run by an orchestrator.

The textbook saga. Force a step to fail and watch the orchestrator undo the
steps that completed, newest first; give steps timeouts and retries; add a
person's approval; crash the orchestrator and see what its store kept.

>>> result = travel_booking(trips=10, seed=3, fail={"car": "always"}).run()
>>> result.counts()
Counter({'compensated': 10})
>>> [e.detail["step"] for e in result.trace.where(kind="compensate", correlation_id="trip-0001")]
['hotel', 'flight']
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Iterable, Mapping

from playground.errors import ScenarioError
from playground.orchestration.saga import Approval, Parallel, Retry, SagaDefinition, Step
from playground.orchestration.store import Store
from playground.transport.bus import Bus
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Latency, Uniform
from playground.runtime.randomness import Randomness
from playground.scenarios.base import Scenario, builds
from playground.runtime.checks import fraction, known_names, latencies, positive_number, whole_number
from playground.services import Approvers, Cars, Flights, Hotels, Service
from playground.services.travel import failure_rule
from playground.wiring.orchestration import adds_orchestrator, orchestrate

#: Default processing times in simulated seconds; approvers are people, so minutes.
TRAVEL_LATENCY: dict[str, "float | Latency"] = {
    "flights": Uniform(0.2, 0.6), "hotels": Uniform(0.1, 0.4), "cars": Uniform(0.05, 0.2),
    "approvers": Uniform(60, 600),
}
STEPS = {"flight": ("Flight", "flights"), "hotel": ("Hotel", "hotels"), "car": ("Car", "cars")}


def travel_saga(*, timeout: float | None = None, retry: Retry | None = None, parallel: bool = False,
                approval: Approval | None = None, on_late: str | None = None,
                compensation_retry: Retry = Retry(count=5, backoff=1.0), semantic_lock: bool = False) -> SagaDefinition:
    """The trip saga: flight → hotel → car (or flight → hotel ∥ car), with an optional approval at the end.

    With ``semantic_lock``, a last step confirms the room once everything else is reserved (and approved):
    until then the hotel treats the room as *pending*, and a trip that finds only pending rooms waits.

    >>> travel_saga(parallel=True, approval=Approval("manager", timeout=600)).stage_names
    ['flight', 'hotel_and_car', 'manager']
    >>> travel_saga(semantic_lock=True).stage_names
    ['flight', 'hotel', 'car', 'confirm']
    """
    steps = [Step(name, f"Reserve{thing}", f"Cancel{thing}", service=service, timeout=timeout,
                  retry=retry or Retry(), on_late=on_late)
             for name, (thing, service) in STEPS.items()]
    stages: list[Any] = [steps[0], Parallel(*steps[1:])] if parallel else list(steps)
    if approval is not None:
        stages.append(approval)
    if semantic_lock:
        # After the pivot: a retriable step that clears the lock; it must not fail for good.
        stages.append(Step("confirm", "ConfirmHotel", compensation_required=False, retry=Retry(count=5, backoff=1.0)))
    return SagaDefinition("trip", stages, started_by="BookTrip", compensation_retry=compensation_retry)


@adds_orchestrator
def _orchestration(scenario: "TravelBooking", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness, store=scenario.store,
                       reactions={"approvers": {"ApprovalRequested": "ReviewRequest"}})
    host.watch(scenario.watch)
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable,
                               snapshots=host.snapshots)


class TravelBooking(Scenario):
    """``trips`` trips booked at ``rate`` per simulated second.

    Args:
        fail: step → forced failure of its reservation, e.g. ``{"hotel": "always"}``,
            ``{"car": 0.2}`` (a seeded share) or ``{"hotel": "once"}`` (first attempt only).
        fail_cancel: step → forced failure of its cancellation, same forms.
        saga: a :class:`SagaDefinition` to run instead of :func:`travel_saga` (``timeout``,
            ``retry``, ``parallel`` and ``approval`` then do nothing).
        approve: the share of approval requests people approve.
        store: ``"memory"`` or a file path (SQLite) for the orchestrator's instances.
        watch: simulated times at which to keep the god's-eye table (``result.extras["snapshots"]``).
        rooms: how many rooms the hotel has (None: always one more); trips that find them all held are refused.
        semantic_lock: rooms stay *pending* until the trip's last step confirms them, and a trip that finds every
            room pending waits instead of being refused (the saga gets the confirming step).
    """

    name = "travel booking"
    start_event = "BookTrip"
    unit = "trips"
    terminals = {"SagaCompleted": "completed", "SagaCompensated": "compensated", "SagaStuck": "stuck"}
    wirings = {"orchestration": _orchestration}

    def __init__(self, *, trips: int = 100, seed: int = 0, rate: float = 1.0, fail: Mapping[str, Any] | None = None,
                 fail_cancel: Mapping[str, Any] | None = None, latency: Mapping[str, "float | Latency"] | None = None,
                 saga: SagaDefinition | None = None, timeout: float | None = None, retry: Retry | None = None,
                 parallel: bool = False, approval: Approval | None = None, approve: float = 1.0,
                 store: "str | os.PathLike | Store" = "memory", watch: Iterable[float] = (),
                 wiring: str = "orchestration", rooms: int | None = None, semantic_lock: bool = False,
                 faults: FaultPlan | None = None, horizon: float | None = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        self.trips = whole_number("trips", trips)
        self.rate = positive_number("rate", rate)
        self.fail, self.fail_cancel = self._rules("fail", fail), self._rules("fail_cancel", fail_cancel)
        self.latency = latencies(latency, TRAVEL_LATENCY)
        self.approve = fraction("approve", approve)
        if saga is not None and not isinstance(saga, SagaDefinition):
            raise ScenarioError(f"saga must be a SagaDefinition, not {type(saga).__name__}.")
        self.rooms = whole_number("rooms", rooms) if rooms is not None else None
        if self.rooms == 0:
            raise ScenarioError("rooms must be at least 1 (or None for a hotel that never fills up).")
        self.semantic_lock = bool(semantic_lock)
        self.saga = saga or travel_saga(timeout=timeout, retry=retry, parallel=parallel, approval=approval,
                                        semantic_lock=self.semantic_lock)
        self.store = store
        self.watch = sorted(positive_number("a watch time", t) for t in watch)

    @staticmethod
    def _rules(what: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
        given = dict(given or {})
        known_names("step", given, STEPS)
        for step, rule in given.items():
            failure_rule(rule, f"{what} for {step}")
        return given

    def planned(self) -> int:
        return self.trips

    def default_horizon(self) -> float:
        # People review one request at a time, so approvals can queue far beyond the arrivals.
        people = self.trips * self.latency["approvers"].mean if any(
            isinstance(stage, Approval) for stage in self.saga.stages) else 0.0
        return 10 * self.trips / self.rate + 7200 + people

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        lat = self.latency
        services: dict[str, Service] = {}
        for step, (_, name) in STEPS.items():
            cls = {"flights": Flights, "hotels": Hotels, "cars": Cars}[name]
            extra = {"capacity": self.rooms, "lock": self.semantic_lock} if name == "hotels" else {}
            services[name] = cls(latency=lat[name], fail=self.fail.get(step), fail_cancel=self.fail_cancel.get(step),
                                 rng=randomness.stream(name), **extra)
        services["approvers"] = Approvers(latency=lat["approvers"], approve=self.approve,
                                          rng=randomness.stream("approvers"))
        return services

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        for i in range(self.trips):
            await asyncio.sleep(rng.expovariate(self.rate))
            trip_id = f"trip-{i + 1:04d}"
            self._ids.append(trip_id)
            bus.publish(bus.message("BookTrip", {"trip_id": trip_id, "traveller": f"traveller-{rng.randrange(1, 201):03d}"},
                                    sender="travellers", correlation_id=trip_id))


@builds(TravelBooking)
def travel_booking(**params: Any) -> TravelBooking:
    """Build the travel-booking scenario; call ``.run()`` on it. See :class:`TravelBooking` for parameters."""
    return TravelBooking(**params)
