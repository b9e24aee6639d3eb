"""What every scenario shares: checked parameters, a run on simulated time, a result.

A scenario builds a fresh bus and fresh services for every run, wires them,
drives a seeded workload and waits until nothing is left in flight. The same
seed always yields the same trace.
"""

from __future__ import annotations

import ast
import inspect
import os
import textwrap
from typing import Any, Callable, Iterable, Mapping, TypeVar

from playground.catalog import CATALOG, Catalog

from playground.errors import CycleDetected, HorizonExceeded, ScenarioError
from playground.runtime.budget import progress, refuse_if_too_big
from playground.runtime.checks import known_names, positive_number, whole_number
from playground.runtime.clock import run_simulated
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness
from playground.runtime.result import Result, outcomes_from
from playground.runtime.trace import Trace, spill_options
from playground.services.base import Service, give_streams
from playground.transport.bus import Bus
from playground.wiring.agents import FaustConsumer

__all__ = ["Scenario", "builds"]

F = TypeVar("F", bound=Callable)


def started_in(trace: Trace, start: str | None) -> list[str]:
    """The transactions a trace shows starting: correlation ids of ``start`` messages, in order of first send."""
    if start is None:
        return []
    return list(dict.fromkeys(cid for type_, cid in trace.fields("type", "correlation_id", kinds=("send",))
                              if type_ == start and cid is not None))


class Scenario:
    """Base for scenarios: how to write one from scratch.

    A subclass sets class attributes and writes two methods; see
    ``playground.scenarios.ping_pong`` for the smallest complete example.

    * ``name``, ``unit`` (what one transaction is called), ``start_event`` (the
      message that opens a transaction) and ``terminals`` (event type → outcome).
    * ``catalog``: the message types the run knows (the playground's
      ``CATALOG`` by default; pass your own :class:`~playground.catalog.Catalog`
      for a domain of your own).
    * ``wirings``: wiring name → ``wire(scenario, bus, services, randomness)``,
      a function that hosts the services on the bus (``choreograph`` with your
      reaction tables, ``orchestrate`` with your sagas) and may leave the
      orchestrator host in ``scenario.run_extras["orchestrator"]``.
    * ``build_services(randomness)`` returns fresh services by name, every run.
    * ``async drive(bus, randomness)`` publishes the workload; pass each
      message through :meth:`begin` (or publish the ``start_event`` yourself and
      outcomes are found from the trace).

    Outcomes are read from the trace: each transaction's terminal events, else
    ``dead-lettered`` or ``unfinished``.
    """

    name = "scenario"
    catalog: Catalog = CATALOG
    #: The message that opens a business transaction, and those that close it (→ outcome).
    start_event: str | None = None
    terminals: Mapping[str, str] = {}
    unit = "transactions"
    wirings: Mapping[str, Callable] = {}
    #: component → how many workers serve its inbox (see :meth:`with_workers`); one when not named.
    workers: Mapping[str, int] = {}
    #: Memory one transaction's trace and state take, roughly (benchmarks/guard_rails.py measures it).
    bytes_per_transaction = 12_000

    def __init__(self, *, seed: int, wiring: str, horizon: float | None, faults: FaultPlan | None,
                 agents: Iterable[FaustConsumer] = ()):
        self.seed = whole_number("seed", seed)
        self.agents = list(agents or ())
        for agent in self.agents:
            if not isinstance(agent, FaustConsumer):
                raise ScenarioError(f"agents= takes FaustConsumer(name, factory, hears=[...]) objects, not {agent!r}.")
        if wiring not in self.wirings:
            raise ScenarioError(f"The {self.name} has no wiring called {wiring!r}; choose from {', '.join(self.wirings)}.")
        self.wiring = wiring
        self.faults = faults if faults is not None else FaultPlan()
        if not isinstance(self.faults, FaultPlan):
            raise ScenarioError(f"faults must be a FaultPlan, not {type(faults).__name__}.")
        self.horizon = positive_number("horizon", horizon) if horizon is not None else None
        self._ids: list[str] = []

    # subclasses ----------------------------------------------------------
    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        raise NotImplementedError

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        raise NotImplementedError

    def default_horizon(self) -> float:
        return 3600.0

    def begin(self, bus: Bus, type: str, payload: dict[str, Any], *, id: str, sender: str = "workload") -> None:
        """Start transaction ``id`` by publishing ``type`` (its correlation id is ``id``); its outcome is reported."""
        self._ids.append(id)
        bus.publish(bus.message(type, payload, sender=sender, correlation_id=id))

    def planned(self) -> int:
        """How many business transactions the workload will start."""
        return len(self._ids)

    def components(self) -> set[str]:
        """Names a fault plan may refer to (a wiring may add components, e.g. an orchestrator)."""
        extra = getattr(self.wirings[self.wiring], "components", ())
        return set(self.build_services(Randomness(0))) | set(extra) | {a.name for a in self.agents}

    def with_workers(self, workers: "int | Mapping[str, int]") -> "Scenario":
        """Serve inboxes with several workers each: a number for every component, or component → number.

        Messages are split among a component's workers by correlation id, so one
        transaction's messages keep their order (see :class:`~playground.transport.bus.Bus`).
        Returns the scenario, so ``scenario.with_workers(4).run()`` reads as one line.
        """
        if isinstance(workers, Mapping):
            known_names("component", workers, self.components())
            table = dict(workers)
        else:
            table = {name: workers for name in self.components()}
        for name, n in table.items():
            whole_number(f"the workers of {name}", n, minimum=1)
        self.workers = table
        return self

    # running -------------------------------------------------------------
    def run(self, *, trace_to: "str | os.PathLike | None" = None, trace_in_memory: int | None = None) -> Result:
        """Run once on simulated time and return the :class:`Result`.

        A very long run can keep most of its trace on disk: with ``trace_to`` a
        file, only about ``trace_in_memory`` entries (100,000 unless given) stay
        in memory and the rest go to that file. Every analysis still reads the
        whole trace, more slowly, and its digest is the same as in memory.
        """
        known_names("component", self.faults.components(), self.components())
        horizon = self.horizon or self.default_horizon()
        self._spill = spill_options(trace_to, trace_in_memory, default=Trace.IN_MEMORY,
                                    names=("trace_to", "trace_in_memory"))
        if trace_to is None:  # a trace going to disk needs little memory, so only a kept one is checked
            refuse_if_too_big(self.planned(), self.unit, bytes_each=self.bytes_per_transaction)
        try:
            with progress(self.planned(), self.unit, lambda: len(self._ids)):
                return run_simulated(self._main, horizon=horizon)
        except HorizonExceeded:
            planned = max(self.planned(), len(self._ids))
            stopped = HorizonExceeded(
                f"The {self.name} was still busy at its horizon of {horizon:g} simulated seconds "
                f"({planned - self._finished:,} of {planned:,} transactions unfinished); pass a larger horizon= "
                "or look for a message cycle or a stuck service.")
            # What happened up to the horizon, so a learner can look for the cycle.
            stopped.trace = getattr(self, "_trace", None)
            raise stopped from None
        except CycleDetected as stopped:
            stopped.trace = getattr(self, "_trace", None)  # the cycle, message by message
            raise

    async def _main(self) -> Result:
        randomness = Randomness(self.seed)
        spill_to, in_memory = getattr(self, "_spill", (None, None))
        trace = Trace(spill_to=spill_to, in_memory=in_memory)
        bus = Bus(trace, catalog=self.catalog, faults=self.faults,
                  name=f"{self.name}-{self.seed}".replace(" ", "-"), randomness=randomness,
                  workers=dict(self.workers))
        services = self.build_services(randomness)
        give_streams(services, randomness)
        self.run_extras: dict[str, Any] = {}  # a wiring may leave things here for the result (e.g. its orchestrator)
        self.wirings[self.wiring](self, bus, services, randomness)
        for agent in self.agents:
            agent.attach(bus)
        self._ids, self._finished, self._trace = [], 0, trace
        await bus.start()
        try:
            await self.drive(bus, randomness)
            await bus.drained()
        finally:
            outcomes = outcomes_from(trace, self._ids or started_in(trace, self.start_event), self.terminals)
            self._finished = sum(o != "unfinished" for o in outcomes.values())
            await bus.stop()
            host = self.run_extras.get("orchestrator")
            if host is not None:
                host.close()  # a SQLite store is released; its final records stay readable
        return Result(self.name, self.wiring, self.seed, trace, outcomes, bus.dead_letters, services,
                      bus.now(), extras=self.run_extras, terminals=dict(self.terminals), start=self.start_event,
                      unit=self.unit)


def _forwarded(init: Callable, own: set[str], rest: str) -> tuple[set[str], set[str] | None]:
    """What ``init`` does with ``**rest`` in its ``super().__init__(...)`` call.

    Returns the keywords it fixes itself (e.g. ``wiring="orchestration"``: not the caller's
    to give) and, unless it forwards ``**rest`` whole, the only ones it picks out of it.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):  # no source (a class typed in a console): show every parameter
        return set(), None
    fixed: set[str] = set()
    picked: set[str] | None = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "super"):
            for kw in node.keywords:
                uses_rest = any(isinstance(n, ast.Name) and n.id == rest for n in ast.walk(kw.value))
                if kw.arg is None and uses_rest:
                    picked = None  # super().__init__(..., **rest): everything it does not fix goes on
                elif kw.arg is not None and uses_rest and picked is not None:
                    picked.add(kw.arg)
                elif kw.arg is not None and kw.arg not in own:
                    fixed.add(kw.arg)
    return fixed, picked


def parameters_of(cls: type) -> list[inspect.Parameter]:
    """The keyword parameters a scenario class takes, following ``**params`` up to the classes that name them."""
    params: list[inspect.Parameter] = []
    seen: set[str] = set()
    inherited, picked = False, None
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        rest = None
        for p in list(inspect.signature(init).parameters.values())[1:]:
            if p.kind is p.VAR_KEYWORD:
                rest = p.name
            elif p.kind is not p.VAR_POSITIONAL and p.name not in seen and (picked is None or p.name in picked):
                seen.add(p.name)
                if inherited:  # reached through **params: keyword-only, and optional where the caller may omit it
                    p = p.replace(kind=p.KEYWORD_ONLY, default=None if p.default is p.empty else p.default)
                params.append(p)
        if rest is None:
            break
        fixed, picked = _forwarded(init, seen, rest)
        seen |= fixed
        inherited = True
    return sorted(params, key=lambda p: p.kind)  # positional ones first, as a signature requires


def builds(cls: type) -> Callable[[F], F]:
    """Mark a function as the factory of scenario ``cls``: ``help()`` then shows ``cls``'s real parameters and defaults.

    >>> @builds(Scenario)
    ... def example(**params):
    ...     "Build the example."
    >>> list(inspect.signature(example).parameters)[:4]
    ['seed', 'wiring', 'horizon', 'faults']
    """
    def decorate(factory: F) -> F:
        factory.__signature__ = inspect.Signature(parameters_of(cls), return_annotation=cls.__name__)  # type: ignore[attr-defined]
        details = inspect.getdoc(cls)
        if details:
            factory.__doc__ = f"{inspect.getdoc(factory) or ''}\n\n{cls.__name__}: {details}".strip()
        return factory

    return decorate
