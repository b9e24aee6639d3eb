"""Generated cases: a workload, a wiring and a fault plan, run and judged against the course's promises.

A :class:`Case` is plain data (so a failing one prints as a runnable snippet);
:func:`verdict` says which promises a run broke:

- every transaction ends exactly once, or is reported stuck with a reason
  (:func:`playground.analysis.stuck.stuck`); with no lossy fault none is stuck;
- each effect happens at most once per business key — except the email
  service's confirmations, which the course keeps deliberately naive (chapter
  08's exercise makes them idempotent);
- money is conserved and no paid order lacks its invoice, for every
  transaction that ended;
- a rollback undoes the completed undoable steps, newest first, once each.

A fault is *lossy* when it can lose a message for good: :class:`Drop`, or an
orchestrator crash while it keeps its instances only in memory. Everything
else (latency, outages, service crashes, failed calls before or after the
work, duplicates, delays, reorders, orchestrator crashes on SQLite) only
delays or repeats messages, and the promises must hold in full.

>>> case = Case("order", "orchestration", seed=3, size=4,
...             faults={"failures": [("FailCalls", {"component": "orders", "nth": 2, "after_work": True})]})
>>> verdict(case.run())
[]
>>> print(case.snippet())
from playground import *
plan = FaultPlan(failures=[FailCalls(component='orders', nth=2, after_work=True)])
result = order_flow(orders=4, seed=3, wiring='orchestration', faults=plan).run()
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from playground.analysis.invariants import (compensations_mirror_forward_steps, effects_at_most_once,
                                            money_conserved, one_terminal_state, paid_without_invoice)
from playground.analysis.stuck import NOT_ENDED, stuck
from playground.runtime import fault_rules
from playground.runtime.faults import FaultPlan
from playground.runtime.result import Result


def _memory_backed_folder() -> str | None:
    """``/dev/shm`` where it is a writable folder, else None (the system's temporary folder).

    Creating a SQLite file in WAL mode waits for the disk (about 90 ms on a busy
    machine, 5 ms in memory); a search runs hundreds of cases, and a simulated
    crash never needs the file to outlive the machine.
    """
    folder = "/dev/shm"
    return folder if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK) else None


_SCRATCH = _memory_backed_folder()

#: The scenarios cases are drawn from: their services, and the wirings each has.
SCENARIOS: dict[str, dict[str, Any]] = {
    "order": {"services": ("orders", "invoices", "payments", "shipping", "email"),
              "wirings": ("choreography", "orchestration"), "size": "orders"},
    "travel": {"services": ("flights", "hotels", "cars"), "wirings": ("orchestration",), "size": "trips"},
}

#: Effects the course keeps non-idempotent on purpose: (service, effect).
NAIVE_EFFECTS = {("email", "email")}

#: Travel options every travel case uses: some car failures, a deadline and a retry, so rollbacks happen.
TRAVEL_OPTIONS = "fail={'car': 0.3}, timeout=3.0, retry=Retry(count=1, backoff=0.5)"


@dataclass(frozen=True)
class Case:
    """One generated run. ``faults`` holds FaultPlan keyword arguments, rules as ``(class name, kwargs)``."""

    scenario: str
    wiring: str
    seed: int
    size: int
    faults: dict[str, Any] = field(default_factory=dict)
    store: str = "memory"  # orchestrated wiring only: "memory" or "sqlite"

    @property
    def lossy(self) -> bool:
        drops = any(name == "Drop" for name, _ in self.faults.get("messages", ()))
        memory_crash = self.store == "memory" and "orchestrator" in self.faults.get("crashes", {})
        return drops or memory_crash

    def plan(self) -> FaultPlan:
        kwargs = dict(self.faults)
        for key in ("failures", "messages"):
            if key in kwargs:
                kwargs[key] = [getattr(fault_rules, name)(**args) for name, args in kwargs[key]]
        return FaultPlan(**kwargs)

    def run(self, folder: str | Path | None = None) -> Result:
        """Run the case on simulated time (a SQLite store goes in ``folder``, a temporary one by default)."""
        from playground.orchestration.saga import Retry
        from playground.scenarios import order_flow, travel_booking

        with tempfile.TemporaryDirectory(dir=_SCRATCH) as scratch:
            store = "memory" if self.store == "memory" else str(Path(folder or scratch) / "instances.db")
            if self.scenario == "order":
                extra = {"store": store} if self.wiring == "orchestration" else {}
                return order_flow(orders=self.size, seed=self.seed, wiring=self.wiring, faults=self.plan(),
                                  **extra).run()
            return travel_booking(trips=self.size, seed=self.seed, faults=self.plan(), store=store,
                                  fail={"car": 0.3}, timeout=3.0, retry=Retry(count=1, backoff=0.5)).run()

    def without_needless_faults(self, fails: Callable[[Case], bool]) -> Case:
        """This case with every fault rule dropped whose removal keeps ``fails(case)`` true, one at a time.

        A last pass after hypothesis's shrinker, which bounds its work by wall time and so can stop, on a
        slow machine, with rules the failure does not need.

        >>> case = Case("order", "choreography", seed=1, size=2,
        ...             faults={"latency": {"orders": 0.5, "email": 2.0}, "outages": {"orders": [(0.0, 1.0)]}})
        >>> case.without_needless_faults(lambda c: "email" in c.faults.get("latency", {})).faults
        {'latency': {'email': 2.0}}
        """
        case = self
        for kind in list(self.faults):
            entries = self.faults[kind]
            for key in reversed(list(entries) if isinstance(entries, dict) else range(len(entries))):
                current = case.faults[kind]
                smaller = ({k: v for k, v in current.items() if k != key} if isinstance(current, dict)
                           else [v for i, v in enumerate(current) if i != key])
                faults = {k: v for k, v in case.faults.items() if k != kind}
                if smaller:
                    faults[kind] = smaller
                candidate = replace(case, faults=faults)
                if fails(candidate):
                    case = candidate
                if kind not in case.faults:
                    break
        return case

    def shrunk(self, fails: Callable[[Case], bool]) -> Case:
        """A smaller case that still fails: needless fault rules dropped, then the fewest instances that fail.

        Deterministic and bounded (one run per fault rule and per smaller size):
        the last pass after hypothesis's shrinker, which stops after five
        minutes of wall time and so can leave a rule or an instance to spare.

        >>> case = Case("order", "choreography", seed=1, size=3, faults={"latency": {"orders": 0.5, "email": 2.0}})
        >>> small = case.shrunk(lambda c: "email" in c.faults.get("latency", {}))
        >>> small.faults, small.size
        ({'latency': {'email': 2.0}}, 1)
        """
        case = self.without_needless_faults(fails)
        for size in range(1, case.size):
            candidate = replace(case, size=size)
            if fails(candidate):
                return candidate
        return case

    def snippet(self) -> str:
        """Python that reproduces this case with the public API, for a failing example's report."""
        parts = []
        for key, value in self.faults.items():
            if key in ("failures", "messages"):
                rules = ", ".join(f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})" for name, args in value)
                parts.append(f"{key}=[{rules}]")
            else:
                parts.append(f"{key}={value!r}")
        store = "" if self.store == "memory" else ", store='instances.db'"
        if self.scenario == "order":
            wiring = f", wiring={self.wiring!r}{store if self.wiring == 'orchestration' else ''}"
            call = f"order_flow(orders={self.size}, seed={self.seed}{wiring}, faults=plan)"
        else:
            call = f"travel_booking(trips={self.size}, seed={self.seed}{store}, {TRAVEL_OPTIONS}, faults=plan)"
        return f"from playground import *\nplan = FaultPlan({', '.join(parts)})\nresult = {call}.run()"


def verdict(result: Result, *, lossy: bool = False) -> list[str]:
    """The promises ``result`` broke, one sentence each (empty when it kept them all).

    Args:
        lossy: whether the run's faults could lose messages for good; if not,
            an unfinished transaction is itself a broken promise.
    """
    problems: list[str] = []
    reasons = stuck(result)
    for cid, why in reasons.items():
        if not lossy:
            problems.append(f"{cid} never ended although no fault could lose a message: {why}")
    ended = {cid for cid, outcome in result.outcomes.items() if outcome not in NOT_ENDED}
    for v in one_terminal_state(result):
        if v.correlation_id in ended or v.correlation_id not in reasons:
            problems.append(str(v))
    for v in effects_at_most_once(result):
        entry = result.trace.entries[v.evidence[0]]
        if (entry.at, entry.detail.get("effect")) not in NAIVE_EFFECTS:
            problems.append(str(v))
    for check in (money_conserved, paid_without_invoice):
        problems += [str(v) for v in check(result) if v.correlation_id in ended]
    problems += [str(v) for v in compensations_mirror_forward_steps(result)]
    return problems
