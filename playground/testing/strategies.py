"""Hypothesis strategies for :class:`~playground.testing.cases.Case`: the whole fault vocabulary, shrinkable.

Each strategy draws small numbers on purpose: a counterexample shrinks to a
few transactions and one or two faults, which a learner can read.

>>> from hypothesis import find
>>> case = find(cases(scenario="order", wiring="choreography"), lambda c: "failures" in c.faults)
>>> case.faults["failures"]
[('FailCalls', {'component': 'orders', 'nth': 1})]
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

from playground.testing.cases import SCENARIOS, Case

#: Fault windows fall in the first seconds, where a small workload is still running.
WINDOW_START = st.floats(min_value=0.0, max_value=8.0, allow_nan=False).map(lambda x: round(x, 1))
WINDOW_LENGTH = st.floats(min_value=0.5, max_value=6.0, allow_nan=False).map(lambda x: round(x, 1))


def _selection(types: tuple[str, ...] | None) -> st.SearchStrategy[dict[str, Any]]:
    which = st.sampled_from(types) if types else st.none()
    how = st.one_of(st.builds(lambda n: {"nth": n}, st.integers(1, 4)),
                    st.builds(lambda f: {"fraction": f}, st.sampled_from([0.05, 0.1, 0.2, 0.3])))
    return st.builds(lambda t, h: ({"type": t} if t else {}) | h, which, how)


def message_rules(*, lossy: bool, types: tuple[str, ...] | None = None) -> st.SearchStrategy[tuple[str, dict]]:
    """Drop (only when ``lossy``), Duplicate, Delay and Reorder rules."""
    kinds = ["Duplicate", "Delay", "Reorder"] + (["Drop"] if lossy else [])

    def extra(kind: str) -> st.SearchStrategy[dict[str, Any]]:
        if kind == "Delay":
            return st.builds(lambda s: {"seconds": s}, st.sampled_from([0.5, 2.0, 5.0]))
        if kind == "Reorder":
            return st.builds(lambda w: {"within": w}, st.sampled_from([0.5, 1.0]))
        return st.just({})

    return st.sampled_from(kinds).flatmap(
        lambda kind: st.builds(lambda sel, more: (kind, more | sel), _selection(types), extra(kind)))


def failures(services: tuple[str, ...]) -> st.SearchStrategy[tuple[str, dict]]:
    """FailCalls rules: the nth call to a service fails, before or after its work."""
    return st.builds(lambda c, n, after: ("FailCalls", {"component": c, "nth": n} | ({"after_work": True} if after else {})),
                     st.sampled_from(services), st.integers(1, 4), st.booleans())


def windows() -> st.SearchStrategy[list[tuple[float, float]]]:
    """One or two non-overlapping ``(start, end)`` windows."""
    one = st.builds(lambda a, d: (a, round(a + d, 1)), WINDOW_START, WINDOW_LENGTH)
    return st.lists(one, min_size=1, max_size=2).map(
        lambda ws: [w for i, w in enumerate(sorted(ws)) if i == 0 or w[0] > sorted(ws)[i - 1][1]])


def fault_plans(components: tuple[str, ...], services: tuple[str, ...], *, lossy: bool) -> st.SearchStrategy[dict]:
    """FaultPlan keyword arguments over ``components`` (outages, crashes) and ``services`` (latency, failures)."""
    return st.fixed_dictionaries({}, optional={
        "latency": st.dictionaries(st.sampled_from(services), st.sampled_from([0.01, 0.5, 2.0]), min_size=1, max_size=2),
        "outages": st.dictionaries(st.sampled_from(services), windows(), min_size=1, max_size=2),
        "crashes": st.dictionaries(st.sampled_from(components), windows(), min_size=1, max_size=2),
        "failures": st.lists(failures(services), min_size=1, max_size=2),
        "messages": st.lists(message_rules(lossy=lossy), min_size=1, max_size=2),
    })


@st.composite
def cases(draw: Any, *, scenario: str | None = None, wiring: str | None = None, lossy: bool = False,
          max_size: int = 8) -> Case:
    """A :class:`Case`; with ``lossy`` its plan may also drop messages or crash a memory-only orchestrator."""
    name = scenario or draw(st.sampled_from(sorted(SCENARIOS)))
    spec = SCENARIOS[name]
    how = wiring or draw(st.sampled_from(spec["wirings"]))
    services = spec["services"]
    components = services + (("orchestrator",) if how == "orchestration" else ())
    plan = draw(fault_plans(components, services, lossy=lossy))
    store = draw(st.sampled_from(["sqlite", "memory"] if lossy else ["sqlite"])) if how == "orchestration" else "memory"
    if store == "memory" and "orchestrator" in plan.get("crashes", {}) and not lossy:
        store = "sqlite"
    return Case(name, how, seed=draw(st.integers(0, 10_000)), size=draw(st.integers(1, max_size)),
                faults=plan, store=store)


# -- how long to search ----------------------------------------------------------------------------
settings.register_profile("properties-ci", max_examples=400, derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("properties-nightly", max_examples=4000, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def budget(fraction: float = 1.0) -> settings:
    """Settings for a property test: ``fraction`` of the active profile's examples.

    The profile is ``properties-ci`` (400 examples, derandomized, so CI is
    reproducible) unless ``PLAYGROUND_PROPERTIES=properties-nightly`` asks for
    a search ten times longer with fresh randomness.
    """
    name = os.environ.get("PLAYGROUND_PROPERTIES", "properties-ci")
    if name not in ("properties-ci", "properties-nightly"):
        raise ValueError(f"PLAYGROUND_PROPERTIES is {name!r}; set it to properties-ci or properties-nightly.")
    profile = settings.get_profile(name)
    return settings(profile, max_examples=max(1, int(profile.max_examples * fraction)))


# -- the same draws in every process ---------------------------------------------------------------
def same_draws_whatever_is_imported() -> None:
    """Make a derandomized search draw the same examples whichever modules the process has imported.

    Hypothesis sometimes draws a constant it found in the source of a *local*
    module (one outside site-packages and the standard library, so every
    ``playground`` module) already imported when the search runs. Which modules
    those are depends on what ran before in the same process: a test file run
    alone imports a few ``playground`` modules, a worker of the full suite has
    imported all of them for the doctests, and a module a test loads from a
    temporary folder counts too. So a ``derandomize=True`` search could find one
    counterexample alone and another in a full run. From now on the pool is
    fixed: the constants of every module of the ``playground`` package, read
    from their files, imported or not (hypothesis's built-in constants still
    apply). Calling it again does nothing. The test suite calls it once per
    process (``tests/conftest.py``).
    """
    if getattr(providers._get_local_constants, "pinned", False):
        return
    pool: list[Any] = []

    def playground_constants() -> Any:
        if not pool:  # read the files when a search first wants a constant
            pool.append(_playground_constants())
        return pool[0]

    playground_constants.pinned = True  # type: ignore[attr-defined]
    playground_constants.unpinned = providers._get_local_constants  # type: ignore[attr-defined]
    providers._get_local_constants = playground_constants
    providers.CONSTANTS_CACHE.cache.clear()  # drop choices computed from another pool


def _playground_constants() -> Any:
    """Hypothesis's constants from every source file of the package, in hypothesis's own sorted sets."""
    from hypothesis.internal.constants_ast import constants_from_module
    from hypothesis.internal.floats import float_to_int
    from sortedcontainers import SortedSet

    pool = providers.Constants(integers=SortedSet(), floats=SortedSet(key=float_to_int), bytes=SortedSet(),
                               strings=SortedSet())
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        stand_in = types.ModuleType(path.stem)  # hypothesis reads the source through the module's __file__
        stand_in.__file__ = str(path)
        pool = pool | constants_from_module(stand_in)
    return pool
