"""Step 5 measured: both wirings of a spec's prototype scored on the five dimensions, and its guarantees under faults.

:func:`measure_prototype` runs chapter 10's :func:`~playground.analysis.experiments.scorecard`
on the prototype's two pure wirings, with the standard fault suite
(:func:`~playground.design.faults.fault_suite`) and two change requests made
from the spec itself (:func:`standard_changes`: a new consumer of the entry's
completion, and a new step in the middle of the entry); its scaling runs start
instances at :func:`saturating_rate`. The scorecard's
invariant violations include the spec's own guarantees, because every
prototype run carries them. The recommended wiring runs the same fault suite,
so the table of guarantees kept has three columns.

Two things keep a large measurement quick, and the measurement names each where it applies:

* above :data:`SAMPLE` instances (``sample=``), every run under faults, under load and with components
  down takes only the first ones — the same arrivals as the plain runs, which take every instance — and the
  suite's windows are placed in the sample's span; the scorecard's note says so;
* when the recommended wiring wires every interaction one way, it *is* that pure wiring (the same
  code builds the same run, trace for trace), so its column repeats that wiring's counts instead of running
  the suite a third time.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "shop", "capabilities": [{"name": "orders", "team": "shop", "latency": 0.1},
...     {"name": "payments", "team": "money", "latency": 0.3}],
...     "interactions": [{"name": "checkout", "trigger": "command", "guarantees": ["deadline"], "deadline": 3,
...     "steps": [{"name": "place", "capability": "orders"}, {"name": "charge", "capability": "payments"}]}]})
>>> found = measure_prototype(spec, instances=30, seed=2, dimensions=("error handling & compensation",))
>>> found.broken("outage")
{'orchestration': {'deadline': 0}, 'choreography': {'deadline': 11}, 'recommended': {'deadline': 0}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from playground.analysis.dimensions import DIMENSIONS, ChangeRequest, Scorecard
from playground.analysis.experiments import plan_key, remembered, scorecard
from playground.design.guarantees import broken_guarantees
from playground.design.prototype import PrototypeFactory, default_rate, prototype, split
from playground.design.faults import fault_suite
from playground.design.spec import GUARANTEES, Capability, Interaction, ProcessSpec, Task, load_spec
from playground.runtime.checks import whole_number
from playground.runtime.faults import FaultPlan

#: The wirings whose guarantees :func:`measure` reports, in column order.
COLUMNS = ("orchestration", "choreography", "recommended")
#: Above this many instances, the runs under faults, under load and with components down take only the first ones
#: (the size chapter 12 measures every prototype at).
SAMPLE = 40


def _free(spec: ProcessSpec, name: str) -> str:
    taken = {c.name for c in spec.capabilities} | {i.name for i in spec.interactions} | {
        s.name for i in spec.interactions for s in i.steps}
    n, chosen = 1, name
    while chosen in taken:
        n += 1
        chosen = f"{name}_{n}"
    return chosen


def with_consumer(spec: ProcessSpec, name: str = "newcomer") -> ProcessSpec:
    """``spec`` plus a capability that reacts to the entry's completion with one step of its own."""
    cap = _free(spec, name)
    follower = Interaction(_free(spec, f"{cap}_heard"), "event", (Task(_free(spec, f"note_{cap}"), cap),),
                           after=spec.entry.name)
    return load_spec(ProcessSpec(spec.name, (*spec.capabilities, Capability(cap, cap, 0.1)),
                                 (*spec.interactions, follower), spec.description))


def with_step(spec: ProcessSpec, name: str = "screening") -> ProcessSpec:
    """``spec`` with a new capability's step inserted before the entry's last step."""
    cap = _free(spec, name)
    entry = spec.entry
    steps = list(entry.steps)
    steps.insert(max(len(steps) - 1, 0), Task(_free(spec, f"check_{cap}"), cap))
    inters = tuple(Interaction(i.name, i.trigger, tuple(steps), i.guarantees, i.deadline, i.after, i.on)
                   if i is entry else i for i in spec.interactions)
    return load_spec(ProcessSpec(spec.name, (*spec.capabilities, Capability(cap, cap, 0.1)), inters,
                                 spec.description))


def standard_changes(spec: ProcessSpec) -> list[ChangeRequest]:
    """A new consumer at the end and a new step in the middle, each asked for by the team that brings it."""
    consumer, step = with_consumer(spec), with_step(spec)
    return [ChangeRequest("a new consumer", consumer.capabilities[-1].name, {"spec": consumer}, kind="consumer"),
            ChangeRequest("a step in the middle", step.capabilities[-1].name, {"spec": step}, kind="step")]


def saturating_rate(spec: ProcessSpec) -> float:
    """Twice what one worker of the entry's busiest capability can serve: the scaling runs' arrival rate."""
    busy: dict[str, float] = {}
    for s in spec.entry.steps:
        busy[s.capability] = busy.get(s.capability, 0.0) + spec.capability(s.capability).latency
    return 2 / max(busy.values())


@dataclass
class Measurement:
    """A prototype measured: the scorecard of both wirings and, per fault, the guarantees each wiring broke."""

    spec: ProcessSpec
    seed: int
    instances: int
    card: Scorecard
    suite: dict[str, FaultPlan]
    guarantees: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # fault → wiring → counts
    #: Instances each run under faults, under load and with components down took (the first of the same arrivals;
    #: 0 when built by hand: all of them).
    sampled: int = 0
    #: The pure wiring the recommended one is identical to, whose runs its column repeats (None: run on its own).
    recommended_as: str | None = None

    def __post_init__(self) -> None:
        self.sampled = self.sampled or self.instances

    @property
    def runs(self) -> int:
        """Simulated runs the measurement made: the scorecard's, and the recommended wiring's unless it reused some."""
        return self.card.details["run count"] + (0 if self.recommended_as else len(self.suite))

    def broken(self, fault: str) -> dict[str, dict[str, int]]:
        """Wiring → guarantee → instances that broke it, under ``fault``."""
        return self.guarantees[fault]

    def total(self, wiring: str) -> int:
        """Guarantees broken by ``wiring`` over the whole suite (one per instance and guarantee)."""
        return sum(n for by in self.guarantees.values() for n in by[wiring].values())

    def table(self) -> str:
        """One line per fault: the broken guarantees of each wiring."""
        rows = [[fault, *(", ".join(f"{g} {n}" for g, n in by[w].items() if n) or "all kept" for w in COLUMNS)]
                for fault, by in self.guarantees.items()]
        rows.insert(0, ["fault", *COLUMNS])
        widths = [max(len(row[k]) for row in rows) + 2 for k in range(len(rows[0]))]
        return "\n".join("".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)

    def sample_note(self) -> str | None:
        """What the scorecard must say when its runs under faults (and load) did not take every instance."""
        if self.sampled >= self.instances:
            return None
        scaled = "scalability & resilience" in self.card.dimensions()
        kinds = "under faults, under load and with components down" if scaled else "under faults"
        plain = "; the plain runs took them all" if self.card.details.get("runs") else ""
        return (f"{kinds}, each run took the first {self.sampled:,} of the {self.instances:,} instances "
                f"(same arrivals){plain}")

    def recommended_note(self) -> str | None:
        """What the table must say when the recommended wiring's column repeats a pure wiring's runs."""
        if self.recommended_as is None:
            return None
        return (f"the recommended wiring is the {self.recommended_as} here (one pattern for every interaction): "
                "its column repeats that wiring's runs")

    def __str__(self) -> str:
        suite = "guarantees broken under the standard fault suite"
        if self.sampled < self.instances:
            suite += f" (first {self.sampled:,} of {self.instances:,} instances)"
        lines = [str(self.card), "", suite, self.table()]
        return "\n".join(lines + [self.recommended_note()] * (self.recommended_as is not None))

    __repr__ = __str__


def _counts(spec: ProcessSpec, found: dict[str, Any]) -> dict[str, int]:
    """Guarantee (spelt as in the spec) → count, from a scorecard's violation counts or from ``broken``."""
    named = [g for g in GUARANTEES if any(i.needs(g) for i in spec.interactions)]
    out = {}
    for g in named:
        value = found.get(g, found.get(g.replace(" ", "-"), 0))
        out[g] = len(value) if isinstance(value, list) else int(value)
    return out


def same_as_recommended(spec: ProcessSpec) -> str | None:
    """The pure wiring whose prototype is the recommended one (every interaction wired alike), else None.

    Both are built by the same code from the same interactions, so their runs are the same run, trace for trace.
    """
    picked = split(spec, "recommended")
    return next((w for w in ("orchestration", "choreography") if split(spec, w) == picked), None)


def measure_prototype(spec: Any, *, seed: int = 0, instances: int = 40, rate: float | None = None,
                      dimensions: Iterable[str] = DIMENSIONS, workers: Iterable[int] = (1, 2, 4),
                      sample: int | None = SAMPLE) -> Measurement:
    """Prototype ``spec`` in both wirings, score them on the five dimensions, and check its guarantees under faults.

    Args:
        instances: instances of the entry interaction per run.
        rate: instances started per simulated second (default: half what the busiest capability serves).
        dimensions: which of chapter 10's dimensions to score (error handling always runs: it carries the suite).
        sample: at most this many instances in each run under faults, under load and with components down (the
            first ones, arriving as in the plain runs, which take all ``instances``; never fewer than the outage
            round needs); None: all of them.
    """
    spec = load_spec(spec) if not isinstance(spec, ProcessSpec) else spec
    rate = rate if rate is not None else default_rate(spec)
    # Never fewer than the outage round needs: one window per component and the orchestrator, with room between.
    least = 2 * (len(spec.capabilities) + 1) + 1
    sampled = instances if sample is None else min(instances, max(whole_number("sample", sample, minimum=1), least))
    suite = fault_suite(spec, instances=sampled, rate=rate)
    wanted = list(dict.fromkeys([*dimensions, "error handling & compensation"]))
    card = scorecard(PrototypeFactory(spec), seed=seed, workload={"instances": instances, "rate": rate},
                     faults=suite, changes=standard_changes(spec), load={"rate": saturating_rate(spec)},
                     workers=workers, dimensions=[d for d in DIMENSIONS if d in wanted],
                     trials={"instances": sampled} if sampled < instances else None)
    seen = card.details["error handling & compensation"]
    alike = same_as_recommended(spec)
    guarantees: dict[str, dict[str, dict[str, int]]] = {}
    for fault, plan in suite.items():
        row = {w: _counts(spec, seen[fault][w]["violations"]) for w in ("orchestration", "choreography")}
        if alike is not None:
            row["recommended"] = dict(row[alike])
        else:
            key = plan_key(plan)
            run = remembered(key and ("run", PrototypeFactory(spec).fingerprint(), seed, "recommended", key, None,
                                      (("instances", sampled), ("rate", rate))),
                             prototype(spec, wiring="recommended", seed=seed, instances=sampled, rate=rate,
                                       faults=plan).run)
            row["recommended"] = _counts(spec, broken_guarantees(spec, run))
        guarantees[fault] = row
    found = Measurement(spec, seed, instances, card, suite, guarantees, sampled, alike)
    card.notes[:] = [found.sample_note()] if found.sample_note() else []  # in its own words, wherever it is shown
    return found
