"""The experiments that score the article's five dimensions on both wirings of one scenario.

:func:`scorecard` takes a scenario *factory* (anything called as
``factory(wiring=..., seed=..., faults=..., **workload)`` that returns a
:class:`~playground.scenarios.base.Scenario`) and measures:

1. **control & visibility** — to answer "where is transaction X, and why?"
   for every transaction of a plain run: how many records must be read and
   how many components they come from. An orchestrated run reads the one row
   its orchestrator keeps; a choreographed run pieces the answer together
   from every message that carries X's correlation id
   (:func:`~playground.analysis.whereabouts.reconstruct`).
2. **coupling & autonomy** — over all ``changes`` (:class:`ChangeRequest`):
   how many teams other than the one asking must make part of a change, and
   how many of their components must be redeployed
   (:func:`~playground.analysis.coupling.compare` of two footprints; needs the
   scenario's ``definitions()``).
3. **error handling & compensation** — under every fault plan of the suite:
   invariant violations (:func:`~playground.analysis.invariants.check`),
   transactions left without an outcome, and compensating actions run.
4. **scalability & resilience** — throughput and 95th-percentile latency of
   the ``load`` workload with 1, 2 and 4 workers per component, and the share
   of transactions begun while each component was down that still finished
   before it came back (one run per wiring in which every component is down
   once, in turn, with time to drain in between).
5. **evolution & change** — definitions touched by the changes of kind
   ``"step"`` (a step added) and ``"consumer"`` (a consumer added).

The capacity model of dimension 4, stated once: every component's inbox is
served by *n* workers (:meth:`~playground.scenarios.base.Scenario.with_workers`);
a message goes to the worker its correlation id hashes to, so one
transaction stays in order — like a Kafka consumer group with exactly one
partition per worker, minus rebalancing, network and commit costs. Each
worker handles one message at a time for the service's processing time.
The orchestrator decides in ``decision_cost`` simulated seconds per message
it takes (a workflow engine persists every step); it gets the same number of
workers as the services, and one extra run keeps it at one worker.

What a scenario needs: wirings called ``orchestration`` and ``choreography``,
``terminals`` and ``outcomes`` like every scenario (dimensions 1, 3 and 4),
and a ``definitions()`` method listing its reaction tables and sagas for the
change requests (dimensions 2 and 5) and for the "definitions holding
rollback logic" figure. A scenario built from the playground's public pieces
has all of these.

Winners, ties and splits are read from the figures as
:mod:`playground.analysis.dimensions` describes.

>>> from playground.scenarios.evolving import evolving_orders
>>> card = scorecard(evolving_orders, seed=3, workload={"orders": 12}, dimensions=("control & visibility",))
>>> card.value("control & visibility", "records read per question", "orchestration")
1.0
>>> card.winners()
{'control & visibility': 'orchestration'}
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from playground.analysis.coupling import compare, footprint
from playground.analysis.dimensions import DIMENSIONS, WIRINGS, ChangeRequest, Figure, Scorecard, count
from playground.analysis.invariants import check
from playground.analysis.metrics import availability, end_to_end, percentile
from playground.analysis.whereabouts import reconstruct_all
from playground.errors import HorizonExceeded, PlaygroundError
from playground.runtime.fault_rules import Delay, Drop, Duplicate, FailCalls, Reorder
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Exponential, Fixed, LongTail, Uniform
from playground.runtime.checks import is_whole

#: Outcomes that mean a transaction never finished.
UNFINISHED = ("unfinished", "dead-lettered")


#: Finished runs kept for reuse, newest last (see :func:`remembered`); at most :data:`REMEMBER` of them.
_FINISHED: "OrderedDict[tuple, Any]" = OrderedDict()
REMEMBER = 64
_RULES = (Drop, Duplicate, Delay, Reorder, FailCalls)
_LATENCIES = (Fixed, Uniform, Exponential, LongTail)


def plan_key(plan: FaultPlan | None) -> tuple | None:
    """Every field of ``plan`` in a canonical, hashable form (its repr leaves some out), or None if it has none.

    Only a plain :class:`FaultPlan` made of the library's own rules and latency distributions has one: a subclass
    may change its answers while a run goes on, so no run under it is ever reused.
    """
    if plan is None:
        return ("no faults",)
    if type(plan) is not FaultPlan or any(type(r) not in _RULES for r in (*plan.failures, *plan.messages)) or any(
            type(d) not in _LATENCIES for d in plan.latency.values()):
        return None
    rules = tuple((type(r).__name__, tuple(sorted(vars(r).items()))) for r in (*plan.failures, *plan.messages))
    key = ("plan", tuple(sorted((n, tuple(w)) for n, w in plan.outages.items())),
           tuple(sorted((n, tuple(w)) for n, w in plan.crashes.items())), tuple(sorted(plan.latency.items())),
           len(plan.failures), rules, plan.redelivery_delay, tuple(sorted(plan.uncorrelated)),
           tuple(sorted(plan.amnesia)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def remembered(key: tuple | None, run: Callable[[], Any]) -> Any:
    """``run()``'s result, reused if a run under the same ``key`` finished before in this process (None: never kept).

    A key must name everything that decides the run — the same key, the same trace — and the results are only read
    by their users, never changed; the :data:`REMEMBER` most recent ones are kept.
    """
    if key is None:
        return run()
    try:
        found = _FINISHED[key]
    except KeyError:
        found = _FINISHED[key] = run()
        while len(_FINISHED) > REMEMBER:
            _FINISHED.popitem(last=False)
    except TypeError:  # an argument that cannot be a key: run it
        return run()
    _FINISHED.move_to_end(key)
    return found


class _Runner:
    """Builds and runs the factory's scenarios, refusing bad arguments in one sentence."""

    def __init__(self, factory: Callable[..., Any], seed: int, workload: Mapping[str, Any]):
        if not callable(factory):
            raise PlaygroundError(f"The scorecard needs a scenario factory such as order_flow, not {factory!r}.")
        self.factory, self.seed, self.workload = factory, seed, dict(workload)
        self.runs = 0

    def build(self, wiring: str, faults: FaultPlan | None = None, **extra: Any) -> Any:
        arguments = {**self.workload, **extra}
        try:
            return self.factory(wiring=wiring, seed=self.seed, faults=faults, **arguments)
        except TypeError as wrong:
            name = getattr(self.factory, "__name__", "the factory")
            raise PlaygroundError(f"{name} does not take the arguments {sorted(arguments)} given by the workload, "
                                  f"the load or a change request ({wrong}); use the arguments it documents.") from None

    def run(self, wiring: str, faults: FaultPlan | None = None, workers: Any = None, *, keep: bool = True,
            **extra: Any) -> Any:
        """One run, counted; a run under faults or at a worker count is reused from an identical earlier one.

        The factory opts in with a ``fingerprint()`` naming everything it builds from (see :func:`remembered`);
        ``keep=False`` (a run the scorecard hands out) always runs afresh.
        """
        self.runs += 1
        key = self._key(wiring, faults, workers, extra) if keep and (faults is not None or workers is not None) else None

        def fresh() -> Any:
            scenario = self.build(wiring, faults, **extra)
            if workers is not None:
                scenario.with_workers(workers)
            return scenario.run()
        return remembered(key, fresh)

    def _key(self, wiring: str, faults: FaultPlan | None, workers: Any, extra: Mapping[str, Any]) -> tuple | None:
        fingerprint = getattr(self.factory, "fingerprint", None)
        made = fingerprint() if callable(fingerprint) else None
        plan = plan_key(faults)
        if made is None or plan is None:
            return None
        staff = tuple(sorted(workers.items())) if isinstance(workers, Mapping) else workers
        return ("run", made, self.seed, wiring, plan, staff, tuple(sorted({**self.workload, **extra}.items())))


def _visibility(runs: Mapping[str, Any]) -> tuple[list[Figure], dict]:
    records, sources, details = {}, {}, {}
    for wiring, result in runs.items():
        host = result.extras.get("orchestrator")
        known = {r["id"] for r in host.records()} if host is not None else set()
        read, asked = [], []
        # Every question the orchestrator cannot answer is pieced together from the trace, all in one reading.
        pieced = reconstruct_all(result, [cid for cid in result.outcomes if cid not in known])
        for cid in result.outcomes:
            if cid in known:
                read.append(1)    # the instance's row: its state, its step, the reason it failed
                asked.append(1)   # one place: the orchestrator's store
            else:
                answer = pieced[cid]
                read.append(len(answer.steps))
                asked.append(len(answer.components))
        n = max(len(read), 1)
        records[wiring], sources[wiring] = sum(read) / n, sum(asked) / n
        details[wiring] = {"questions": len(read), "records": sum(read)}
    return [Figure(DIMENSIONS[0], "records read per question", records, "lower"),
            Figure(DIMENSIONS[0], "components consulted per question", sources, "lower")], details


def _changes(runner: _Runner, changes: Iterable[ChangeRequest]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for request in changes:
        out[request.title] = {}
        for wiring in WIRINGS:
            before, after = runner.build(wiring), runner.build(wiring, **request.after)
            out[request.title][wiring] = compare(footprint(before), footprint(after),
                                                 requested_by=request.requested_by, title=request.title)
    return out


def _others(change: Any) -> set[str]:
    """Teams other than the requester that must act: a contract nobody names any more is not their work.

    A footprint lists a contract only while a reaction table or a saga names
    it; when the last one stops, :func:`compare` reports it "removed", yet the
    owner's catalog entry and code stay exactly as they were.
    """
    return {t.definition.owner for t in change.touches
            if t.definition.owner != change.requested_by
            and not (t.how == "removed" and t.definition.kind == "contract")}


def _coupling(changes: Mapping[str, Mapping[str, Any]], requests: list[ChangeRequest]) -> list[Figure]:
    teams = {w: float(sum(len(_others(changes[r.title][w])) for r in requests)) for w in WIRINGS}
    others = {w: float(sum(len([c for c in changes[r.title][w].redeploys() if c != r.requested_by])
                           for r in requests)) for w in WIRINGS}
    touched = {w: float(sum(len(changes[r.title][w].touches) for r in requests)) for w in WIRINGS}
    n = count(len(requests), "change")
    return [Figure(DIMENSIONS[1], f"other teams involved ({n})", teams, "lower"),
            Figure(DIMENSIONS[1], f"others' components redeployed ({n})", others, "lower"),
            Figure(DIMENSIONS[1], f"definitions touched ({n})", touched, None)]


def _evolution(changes: Mapping[str, Mapping[str, Any]], requests: list[ChangeRequest]) -> list[Figure]:
    figures = []
    for kind, label in (("step", "a step"), ("consumer", "a consumer")):
        chosen = [r for r in requests if r.kind == kind]
        if chosen:
            figures.append(Figure(DIMENSIONS[4], f"definitions touched to add {label}",
                                  {w: float(sum(len(changes[r.title][w].touches) for r in chosen)) for w in WIRINGS},
                                  "lower"))
            figures.append(Figure(DIMENSIONS[4], f"teams involved to add {label}",
                                  {w: float(sum(len(changes[r.title][w].owners()) for r in chosen)) for w in WIRINGS},
                                  "lower"))
    return figures


def _compensation_commands(runner: _Runner) -> set[str]:
    """Commands that undo a step: named by the orchestrated saga's steps (the one place that says so)."""
    definitions = getattr(runner.build("orchestration"), "definitions", None)
    sagas = definitions()["sagas"] if definitions is not None else []
    return {s.compensation for saga in sagas for s in saga.steps.values() if getattr(s, "compensation", None)}


def _rollback_homes(runner: _Runner, undo: set[str]) -> dict[str, float]:
    """Definitions that hold rollback logic: sagas with a compensation, reaction tables that run one."""
    homes = {}
    for wiring in WIRINGS:
        definitions = getattr(runner.build(wiring), "definitions", None)
        parts = definitions() if definitions is not None else {}
        sagas = [saga for saga in parts.get("sagas", ()) if saga.compensable]
        tables = [name for name, table in parts.get("reactions", {}).items() if set(table.values()) & undo]
        homes[wiring] = float(len(sagas) + len(tables))
    return homes


def _errors(runner: _Runner, suite: Mapping[str, FaultPlan]) -> tuple[list[Figure], dict]:
    undo = _compensation_commands(runner)
    anomalies = {w: 0.0 for w in WIRINGS}
    unfinished = {w: 0.0 for w in WIRINGS}
    undone = {w: 0.0 for w in WIRINGS}
    details: dict[str, dict[str, Any]] = {}
    for name, plan in suite.items():
        details[name] = {}
        for wiring in WIRINGS:
            try:
                result = runner.run(wiring, plan)
            except HorizonExceeded as exc:
                raise HorizonExceeded(f"Under the fault {name!r} the {wiring} never finished: {exc} A fault the "
                                      "wiring cannot recover from stalls the run; give its steps deadlines or "
                                      "leave that fault out of the suite.") from None
            # A scenario may carry promises of its own domain (a prototype carries its spec's guarantees).
            own = result.extras.get("invariants", ()) if isinstance(result.extras, dict) else ()
            found = {k: len(v) for k, v in check(result, invariants=own).items() if v}
            left = sum(1 for o in result.outcomes.values() if o in UNFINISHED)
            comp = sum(1 for e in result.trace.entries
                       if e.kind == "end" and (e.detail or {}).get("command") in undo)
            anomalies[wiring] += sum(found.values())
            unfinished[wiring] += left
            undone[wiring] += comp
            details[name][wiring] = {"violations": found, "unfinished": left, "compensations": comp,
                                     "outcomes": dict(result.counts())}
    n = count(len(suite), "fault")
    return [Figure(DIMENSIONS[2], "definitions holding rollback logic", _rollback_homes(runner, undo), None),
            Figure(DIMENSIONS[2], f"invariant violations ({n})", anomalies, "lower"),
            Figure(DIMENSIONS[2], f"transactions left unfinished ({n})", unfinished, "lower"),
            Figure(DIMENSIONS[2], f"compensating actions run ({n})", undone, None)], details


def pace(result: Any) -> tuple[float, float]:
    """(transactions finished per simulated second from the first start to the last end, p95 latency in s)."""
    times = end_to_end(result)
    if not times:
        return 0.0, float("inf")
    starts = [e.time for e in result.trace.entries if e.kind == "send" and e.correlation_id in result.outcomes]
    ends = [e.time for e in result.trace.entries if e.kind == "send" and e.type in result.terminals]
    span = max(ends) - min(starts)
    return (len(times) / span if span > 0 else float(len(times))), percentile(list(times.values()), 95)


def _scaling(runner: _Runner, load: Mapping[str, Any], workers: tuple[int, ...],
             decision_cost: float) -> tuple[list[Figure], dict]:
    curve: dict[str, dict[int, tuple[float, float]]] = {w: {} for w in WIRINGS}
    for wiring in WIRINGS:
        probe = runner.build(wiring, **load)
        engine = "orchestrator" in probe.components()
        plan = FaultPlan(latency={"orchestrator": decision_cost}) if engine and decision_cost > 0 else None
        for n in workers:
            curve[wiring][n] = pace(runner.run(wiring, plan, workers=n, **load))
        top = max(workers)
        if engine:
            one_engine = {c: top for c in probe.components()} | {"orchestrator": 1}
            curve[wiring]["one engine"] = pace(runner.run(wiring, plan, workers=one_engine, **load))
        else:  # nothing central to hold back: the same run as every component at the top count
            curve[wiring]["one engine"] = curve[wiring][top]
    low, top = min(workers), max(workers)
    figures = [
        Figure(DIMENSIONS[3], f"throughput, {top} workers each", {w: curve[w][top][0] for w in WIRINGS},
               "higher", "/s"),
        Figure(DIMENSIONS[3], f"p95 latency, {top} workers each", {w: curve[w][top][1] for w in WIRINGS},
               "lower", "s"),
        Figure(DIMENSIONS[3], f"throughput, {top} workers, engine at 1",
               {w: curve[w]["one engine"][0] for w in WIRINGS}, "higher", "/s"),
        Figure(DIMENSIONS[3], f"throughput gain, {low} → {top} workers",
               {w: curve[w][top][0] / curve[w][low][0] if curve[w][low][0] else 0.0 for w in WIRINGS}, None, "×"),
    ]
    return figures, curve


def _outage_windows(result: Any, components: list[str]) -> dict[str, tuple[float, float]]:
    """One window per component, spread over the span in which the plain run's transactions began.

    The span is cut into ``2k + 1`` equal slots for ``k`` components; component
    ``i`` is down in slot ``2i + 1``, so every outage is followed by a slot in
    which the backlog it left can drain before the next one starts.
    """
    first: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind == "send" and e.correlation_id in result.outcomes:
            first.setdefault(e.correlation_id, e.time)
    slots = 2 * len(components) + 1
    if len(first) < slots:
        raise PlaygroundError(f"The availability experiment needs at least {slots} transactions arriving over time "
                              f"(one outage for each of {len(components)} components, with room between); "
                              "raise the number of transactions in the workload.")
    start, end = min(first.values()), max(first.values())
    width = (end - start) / slots
    return {c: (start + (2 * i + 1) * width, start + (2 * i + 2) * width) for i, c in enumerate(components)}


def _availability(runner: _Runner, arrivals: Any) -> tuple[list[Figure], dict]:
    """Each wiring run once with every component down in turn, in windows placed on ``arrivals`` (a plain run)."""
    share, stoppers, details = {}, {}, {}
    present = {w: sorted(runner.build(w).components()) for w in WIRINGS}
    # Both wirings get the same window for the same component, taken from the same arrivals.
    everyone = sorted(set().union(*present.values()))
    windows = _outage_windows(arrivals, everyone)
    for wiring in WIRINGS:
        components = present[wiring]
        down = runner.run(wiring, FaultPlan(outages={c: [windows[c]] for c in components}), keep=False)
        ratios = {}
        for component in components:
            (row,) = availability(down, component)
            ratios[component] = row.ratio if row.ratio is not None else 1.0
        share[wiring] = sum(ratios.values()) / len(ratios)
        stoppers[wiring] = float(sum(1 for r in ratios.values() if r == 0))
        details[wiring] = {"windows": {c: windows[c] for c in components}, "finished while down": ratios, "run": down}
    return [Figure(DIMENSIONS[3], "finished while a component is down (mean)", share, "higher"),
            Figure(DIMENSIONS[3], "components whose outage stops every transaction", stoppers, "lower")], details


def scorecard(factory: Callable[..., Any], *, seed: int = 0, workload: Mapping[str, Any] | None = None,
              faults: Mapping[str, FaultPlan] | None = None, changes: Iterable[ChangeRequest] = (),
              load: Mapping[str, Any] | None = None, workers: Iterable[int] = (1, 2, 4),
              decision_cost: float = 0.02, dimensions: Iterable[str] = DIMENSIONS,
              tolerance: float = 0.05, trials: Mapping[str, Any] | None = None) -> Scorecard:
    """Score both wirings of ``factory``'s scenario on the five dimensions (see the module's docstring).

    Args:
        workload: factory arguments of every run (e.g. ``{"orders": 40}``).
        faults: the fault suite, name → :class:`FaultPlan`; each plan runs on both wirings.
        changes: the change requests dimensions 2 and 5 price (the scenario needs ``definitions()``).
        load: factory arguments added for the scaling runs (a workload that saturates one worker).
        decision_cost: simulated seconds the orchestrator spends per message in the scaling runs.
        dimensions: which dimensions to measure (all five by default).
        trials: factory arguments that replace the workload's in every run under faults, under load and with
            components down (e.g. fewer instances, to answer sooner on a large workload); the plain runs keep
            the workload. The scorecard names the difference in a note.
    """
    wanted = list(dimensions)
    for name in wanted:
        if name not in DIMENSIONS:
            raise PlaygroundError(f"There is no dimension called {name!r}; choose from {', '.join(DIMENSIONS)}.")
    requests = list(changes)
    for request in requests:
        if not isinstance(request, ChangeRequest):
            raise PlaygroundError(f"changes= takes ChangeRequest objects, not {request!r}.")
    suite = dict(faults or {})
    for name, plan in suite.items():
        if not isinstance(plan, FaultPlan):
            raise PlaygroundError(f"The fault suite maps names to FaultPlan objects; {name!r} maps to {plan!r}.")
    counts = tuple(workers)
    if not counts or any(not is_whole(n) or n < 1 for n in counts):
        raise PlaygroundError(f"workers must be whole numbers of at least 1, not {counts!r}.")
    runner = _Runner(factory, seed, workload or {})
    # Runs under faults, load and outages: the workload itself, or the trials' arguments in its place.
    trial = _Runner(factory, seed, {**runner.workload, **trials}) if trials else runner
    notes = [_trials_note(runner.workload, trial.workload)] if trial is not runner else []
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    plain = {w: runner.run(w) for w in WIRINGS} if {DIMENSIONS[0], DIMENSIONS[3]} & set(wanted) else {}
    details["runs"] = plain
    if DIMENSIONS[0] in wanted:
        found, details[DIMENSIONS[0]] = _visibility(plain)
        figures += found
    priced = _changes(runner, requests) if {DIMENSIONS[1], DIMENSIONS[4]} & set(wanted) and requests else {}
    if DIMENSIONS[1] in wanted and requests:
        figures += _coupling(priced, requests)
        details[DIMENSIONS[1]] = priced
    if DIMENSIONS[2] in wanted and suite:
        found, details[DIMENSIONS[2]] = _errors(trial, suite)
        figures += found
    if DIMENSIONS[3] in wanted:
        found, curve = _scaling(trial, load or {}, counts, decision_cost)
        # The outage windows are placed on the arrivals of the runs that take them.
        more, down = _availability(trial, plain[WIRINGS[1]] if trial is runner else trial.run(WIRINGS[1]))
        figures += found + more
        details[DIMENSIONS[3]] = {"scaling": curve, "availability": down}
    if DIMENSIONS[4] in wanted:
        found = _evolution(priced, requests)
        figures += found
        details[DIMENSIONS[4]] = {t: priced[t] for t in priced}
    details["run count"] = runner.runs + (trial.runs if trial is not runner else 0)
    name = getattr(runner.build(WIRINGS[0]), "name", "scenario")
    return Scorecard(name, seed, figures, details, tolerance, notes)


def _trials_note(workload: Mapping[str, Any], trials: Mapping[str, Any]) -> str:
    """The sentence a scorecard shows when its runs under faults and load did not take the whole workload."""
    def spell(values: Mapping[str, Any]) -> str:
        return ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v!r}" for k, v in values.items())

    changed = {k: v for k, v in trials.items() if workload.get(k) != v}
    return (f"runs under faults, under load and with components down took {spell(changed)}; "
            f"the plain runs took {spell({k: workload.get(k) for k in changed})}")
