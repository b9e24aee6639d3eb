"""The customer-data pipeline: records are ingested once and delivered to every destination.

Wired as orchestration, one ``pipeline`` saga sends each record to every
destination; the list of destinations is written in that one definition,
which the orchestrator's team owns. Wired as choreography, each destination
subscribes to ``RecordIngested`` itself. Adding a destination (a CRM sync,
say) therefore changes different things in the two wirings — which
:func:`playground.analysis.coupling.footprint` measures from
:meth:`DataPipeline.definitions`.

>>> data_pipeline(records=10, seed=1, destinations=("warehouse", "crm")).run().counts()
Counter({'delivered': 10})
>>> data_pipeline(records=10, seed=1, wiring="orchestration").run().counts()
Counter({'delivered': 10})
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from playground.errors import ScenarioError
from playground.orchestration.saga import Parallel, SagaDefinition, Step
from playground.orchestration.store import Store
from playground.transport.bus import Bus
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Latency, Uniform
from playground.runtime.randomness import Randomness
from playground.runtime.result import Result
from playground.scenarios.base import Scenario, builds
from playground.runtime.checks import latencies, positive_number, whole_number
from playground.services import Service
from playground.services.pipeline import DESTINATIONS, Ingest
from playground.wiring.choreography import choreograph
from playground.wiring.orchestration import adds_orchestrator, orchestrate

#: Default processing times in simulated seconds.
PIPELINE_LATENCY: dict[str, "float | Latency"] = {
    "ingest": 0.02, "warehouse": Uniform(0.1, 0.3), "search": 0.05, "crm": Uniform(0.2, 0.6), "marketing": 0.1,
}


def pipeline_reactions(destinations: Iterable[str]) -> dict[str, dict[str, str]]:
    """The choreography: every destination runs its own command when it hears ``RecordIngested``.

    >>> pipeline_reactions(["crm"])
    {'ingest': {}, 'crm': {'RecordIngested': 'SyncCrm'}}
    """
    return {"ingest": {}, **{name: {"RecordIngested": DESTINATIONS[name].command} for name in destinations}}


def pipeline_saga(destinations: Iterable[str]) -> SagaDefinition:
    """The orchestration: one saga that ingests a record, then sends it to every destination at once.

    >>> pipeline_saga(["warehouse", "search"]).stage_names
    ['ingest', 'warehouse_and_search']
    """
    steps = [Step(name, DESTINATIONS[name].command, compensation_required=False, done=(DESTINATIONS[name].event,))
             for name in destinations]
    spread = steps[0] if len(steps) == 1 else Parallel(*steps)
    return SagaDefinition("pipeline", [
        Step("ingest", "IngestRecord", compensation_required=False, done=("RecordIngested",)), spread,
    ], started_by="RecordIngested")


def _choreography(scenario: "DataPipeline", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, scenario.definitions()["reactions"], randomness)


@adds_orchestrator
def _orchestration(scenario: "DataPipeline", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    (saga,) = scenario.definitions()["sagas"]
    host = orchestrate(bus, services, [saga], randomness, store=scenario.store)
    scenario.run_extras.update(orchestrator=host, saga=saga)


class DataPipeline(Scenario):
    """``records`` customer records arriving at ``rate`` per simulated second, sent to ``destinations``.

    Args:
        destinations: names from :data:`~playground.services.pipeline.DESTINATIONS`, in order.
        standby: destination services that run (they have an inbox) but that the wiring does
            not mention yet — a service deployed before anyone sends it work.
        store: (orchestration) ``"memory"`` or a file path (SQLite) for the orchestrator's instances.
    """

    name = "data pipeline"
    start_event = "IngestRecord"
    unit = "records"
    wirings = {"choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, records: int = 200, seed: int = 0, rate: float = 2.0,
                 destinations: Iterable[str] = ("warehouse", "search"), standby: Iterable[str] = (),
                 latency: Mapping[str, "float | Latency"] | None = None, wiring: str = "choreography",
                 store: "str | os.PathLike | Store" = "memory", faults: FaultPlan | None = None,
                 horizon: float | None = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        self.store = store
        self.records = whole_number("records", records)
        self.rate = positive_number("rate", rate)
        self.destinations = tuple(destinations) if not isinstance(destinations, str) else (destinations,)
        self.standby = tuple(standby) if not isinstance(standby, str) else (standby,)
        if not self.destinations:
            raise ScenarioError("A pipeline needs at least one destination; choose from "
                                f"{', '.join(DESTINATIONS)}.")
        for name in (*self.destinations, *self.standby):
            if name not in DESTINATIONS:
                raise ScenarioError(f"There is no destination called {name!r}; choose from {', '.join(DESTINATIONS)}.")
        everything = (*self.destinations, *self.standby)
        if len(set(everything)) != len(everything):
            raise ScenarioError(f"Each destination may appear once, in destinations or standby, not {list(everything)}.")
        self.latency = latencies(latency, PIPELINE_LATENCY)
        if wiring == "orchestration":
            self.terminals = {"SagaCompleted": "delivered"}
        else:  # no process exists: a record is delivered once every destination has announced it
            self.terminals = {DESTINATIONS[d].event: d for d in self.destinations}

    def definitions(self) -> dict[str, Any]:
        """What this wiring is made of besides the services: reaction tables and saga definitions."""
        if self.wiring == "orchestration":
            return {"reactions": {}, "sagas": [pipeline_saga(self.destinations)]}
        return {"reactions": pipeline_reactions(self.destinations), "sagas": []}

    def planned(self) -> int:
        return self.records

    def default_horizon(self) -> float:
        return 10 * self.records / self.rate + 3600

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services: dict[str, Service] = {"ingest": Ingest(latency=self.latency["ingest"])}
        for name in (*self.destinations, *self.standby):
            services[name] = DESTINATIONS[name](latency=self.latency[name])
        return services

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        for i in range(self.records):
            await bus.sleep(rng.expovariate(self.rate))
            record_id = f"rec-{i + 1:04d}"
            customer = f"customer-{rng.randrange(1, 501):03d}"
            self._ids.append(record_id)
            bus.publish(bus.message("IngestRecord", {"record_id": record_id, "customer": customer,
                                                     "email": f"{customer.upper()}@Example.org "},
                                    sender="sources", correlation_id=record_id))

    async def _main(self) -> Result:
        result = await super()._main()
        if self.wiring == "choreography":
            everywhere = set(self.destinations)
            result.outcomes = {r: "delivered" if set(o.split("+")) == everywhere else o
                               for r, o in result.outcomes.items()}
        return result


@builds(DataPipeline)
def data_pipeline(**params: Any) -> DataPipeline:
    """Build the data-pipeline scenario; call ``.run()`` on it. See :class:`DataPipeline` for parameters."""
    return DataPipeline(**params)
