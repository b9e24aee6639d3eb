"""Step 5 done for you: a runnable prototype of a spec, in three wirings, on simulated time.

:func:`prototype` builds a :class:`Prototype` scenario from a
:class:`~playground.design.spec.ProcessSpec`: the generated catalog
(:mod:`~playground.design.messages`), one generated service per capability
(:mod:`~playground.design.capabilities`) and the wiring (:mod:`~playground.design.wiring`):

* ``"orchestration"``: every interaction is a saga;
* ``"choreography"``: every interaction is a chain of reactions;
* ``"recommended"``: each interaction as :func:`~playground.design.recommend.recommend` says
  (a hybrid when the spec calls for it).

The workload starts ``instances`` instances of the entry interaction — at
random (Poisson) arrivals for a command or a human trigger, at a fixed period
for a time trigger — each with its own ``case`` id. An instance's outcome is
how its entry interaction ended (``completed`` or ``cancelled``); what the
follow-ups did is judged by the spec's guarantees
(:mod:`~playground.design.guarantees`), which every run carries in
``result.extras["invariants"]``. Same spec, seed and wiring: the same trace.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "shop", "capabilities": [
...     {"name": "orders", "team": "shop", "latency": 0.05}, {"name": "payments", "team": "money", "latency": 0.2,
...     "fails": 0.2}], "interactions": [{"name": "checkout", "trigger": "command", "steps": [
...     {"name": "place", "capability": "orders", "undo": "cancel the order"},
...     {"name": "charge", "capability": "payments"}]}]})
>>> runs = {w: prototype(spec, wiring=w, instances=20, seed=3).run() for w in ("orchestration", "choreography")}
>>> runs["orchestration"].outcomes == runs["choreography"].outcomes, dict(runs["choreography"].counts())
(True, {'completed': 15, 'cancelled': 5})
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.design import messages as m
from playground.design.capabilities import capability_services
from playground.design.guarantees import guarantee_checks
from playground.design.recommend import recommend
from playground.design.spec import ACTORS, ProcessSpec, load_spec
from playground.design.wiring import reactions, sagas
from playground.errors import ScenarioError
from playground.runtime.checks import positive_number, whole_number
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness
from playground.scenarios.base import Scenario
from playground.services.base import Service
from playground.transport.bus import Bus
from playground.wiring.choreography import choreograph
from playground.wiring.orchestration import ORCHESTRATOR, orchestrate

#: The wirings every prototype has.
PROTOTYPE_WIRINGS = ("orchestration", "choreography", "recommended")


def split(spec: ProcessSpec, wiring: str) -> tuple[list[str], list[str]]:
    """(orchestrated, choreographed) interaction names in ``wiring``."""
    names = [i.name for i in spec.interactions]
    if wiring == "orchestration":
        return names, []
    if wiring == "choreography":
        return [], names
    picked = recommend(spec).patterns()
    return [n for n in names if picked[n] == "orchestrate"], [n for n in names if picked[n] == "choreograph"]


def _wire(scenario: "Prototype", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    parts = scenario.definitions()
    scenario.run_extras.update(invariants=guarantee_checks(scenario.spec), spec=scenario.spec,
                               reactions=parts["reactions"])
    if parts["sagas"]:
        host = orchestrate(bus, services, parts["sagas"], randomness, reactions=parts["reactions"])
        scenario.run_extras.update(orchestrator=host,
                                   compensable=[n for saga in parts["sagas"] for n in saga.compensable])
    else:
        choreograph(bus, services, parts["reactions"], randomness)


class Prototype(Scenario):
    """A spec's prototype; build it with :func:`prototype`.

    Args:
        spec: a :class:`ProcessSpec`, or anything :func:`~playground.design.spec.load_spec` reads.
        instances: how many instances of the entry interaction the workload starts.
        rate: instances started per simulated second (default: half what the busiest capability can serve).
        latency: capability → latency distribution or seconds, replacing the generated one.
    """

    unit = "instances"
    wirings = {w: _wire for w in PROTOTYPE_WIRINGS}

    def __init__(self, spec: Any, *, wiring: str = "orchestration", seed: int = 0, instances: int = 40,
                 rate: float | None = None, latency: Mapping[str, Any] | None = None,
                 faults: FaultPlan | None = None, horizon: float | None = None):
        self.spec = load_spec(spec) if not isinstance(spec, ProcessSpec) else spec
        self.name = f"{self.spec.name} prototype"
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        self.catalog = m.spec_catalog(self.spec)
        self.instances = whole_number("instances", instances)
        self.rate = positive_number("rate", rate) if rate is not None else default_rate(self.spec)
        self.latency = dict(latency or {})
        unknown = set(self.latency) - {c.name for c in self.spec.capabilities}
        if unknown:
            raise ScenarioError(f"latency= names {sorted(unknown)[0]!r}, which is not a capability of the spec; "
                                f"use one of {', '.join(c.name for c in self.spec.capabilities)}.")
        entry = self.spec.entry
        self.start_event = m.requested(entry)
        self.terminals = {m.completed(entry): "completed", m.cancelled(entry): "cancelled"}
        self.orchestrated, self.choreographed = split(self.spec, wiring)

    def definitions(self) -> dict[str, Any]:
        """The reaction tables and sagas of this wiring (what a change to the process touches)."""
        return {"reactions": reactions(self.spec, self.choreographed),
                "sagas": sagas(self.spec, self.orchestrated, self.catalog)}

    def components(self) -> set[str]:
        names = {c.name for c in self.spec.capabilities}
        return names | {ORCHESTRATOR} if self.orchestrated else names

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        return dict(capability_services(self.spec, randomness=randomness, catalog=self.catalog, latency=self.latency))

    def planned(self) -> int:
        return self.instances

    def default_horizon(self) -> float:
        slowest = sum(c.latency for c in self.spec.capabilities) * sum(len(i.steps) for i in self.spec.interactions)
        return 10 * self.instances / self.rate + 100 * slowest + 3600

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        entry = self.spec.entry
        for n in range(self.instances):
            await bus.sleep(1 / self.rate if entry.trigger == "time" else rng.expovariate(self.rate))
            case = f"{self.spec.name}-{n + 1:04d}"
            self.begin(bus, self.start_event, m.payload(self.spec, case), id=case, sender=ACTORS[entry.trigger])


def default_rate(spec: ProcessSpec) -> float:
    """Half the instances per second the busiest capability can serve with one worker."""
    busy: dict[str, float] = {}
    for i in spec.interactions:
        for s in i.steps:
            busy[s.capability] = busy.get(s.capability, 0.0) + spec.capability(s.capability).latency
    return 0.5 / max(busy.values())


def prototype(spec: Any, **params: Any) -> Prototype:
    """Build the prototype of ``spec``; call ``.run()`` on it. See :class:`Prototype` for parameters."""
    return Prototype(spec, **params)


class PrototypeFactory:
    """``prototype`` bound to one spec, in the shape :func:`~playground.analysis.experiments.scorecard` calls.

    A change request may pass ``spec=`` (the process after the change) among its arguments.
    """

    def __init__(self, spec: Any, **fixed: Any):
        self.spec = load_spec(spec) if not isinstance(spec, ProcessSpec) else spec
        self.fixed = fixed
        self.__name__ = f"prototype of {self.spec.name}"

    def fingerprint(self) -> tuple:
        """Everything a prototype built here depends on besides the call's own arguments (the spec compares by value)."""
        return ("prototype", self.spec, tuple(sorted(self.fixed.items())))

    def __call__(self, **params: Any) -> Prototype:
        spec = params.pop("spec", self.spec)
        return Prototype(spec, **{**self.fixed, **params})
