"""Exercise 10 · change the workload, predict which dimension's winner flips, then measure it.

The learner sets ``CHANGED_WORKLOAD`` (arguments of ``evolving_orders`` that
differ from the exercise's baseline) and ``PREDICTED_FLIPS`` (the dimensions
whose winner they expect to change). The checks score the baseline and the
changed workload on the predicted dimensions and demand that every predicted
dimension flips — on the notebook's seed and on a seed drawn from the grading
seed (recorded in the report), because a winner that changes with the seed
alone has not been flipped by the workload. A change that leaves the scenario
as it was (the baseline's numbers or the defaults written out) changes
nothing; a ``payments`` class of the learner's is run once per wiring first,
and a message it publishes that is dead-lettered (a field its contract
requires, a misspelt type) fails every check with the dead letter's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from playground.analysis.dimensions import DIMENSIONS, ChangeRequest, Scorecard
from playground.analysis.experiments import scorecard
from playground.errors import ScenarioError
from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch
from playground.grading.unseen import Unseen
from playground.runtime.fault_rules import Duplicate
from playground.runtime.faults import FaultPlan
from playground.scenarios.evolving import evolving_orders

WORKLOAD_NAME, PREDICTION_NAME = "CHANGED_WORKLOAD", "PREDICTED_FLIPS"
#: The baseline the notebook shows (the same values appear in its setup cell).
SEED = 7
WORKLOAD: dict[str, Any] = {"orders": 24, "decline_rate": 0.25}
SUITE = {"every OrderPlaced twice": FaultPlan(messages=[Duplicate(type="OrderPlaced")])}
CHANGES = [
    ChangeRequest("push notifications", "push", {"followers": ("confirm", "push")}, kind="consumer"),
    ChangeRequest("fraud screening before payment", "screening", {"screening": True}, kind="step"),
]
LOAD = {"rate": 20}
WORKERS = (1, 4)
TOLERANCE = 0.1
#: Beyond this the grader could not finish in time.
MOST_ORDERS = 60
#: The seed of the unseen workload, drawn from the grading seed (never the notebook's).
UNSEEN = Unseen(runs=1, avoid_seeds={SEED})


def measure(changed: Mapping[str, Any], seed: int, dimensions: Any = DIMENSIONS) -> Scorecard:
    """The exercise's scorecard of the baseline with ``changed`` applied."""
    return scorecard(evolving_orders, seed=seed, workload={**WORKLOAD, **changed}, faults=SUITE, changes=CHANGES,
                     load=LOAD, workers=WORKERS, tolerance=TOLERANCE, dimensions=dimensions)


@lru_cache(maxsize=8)
def _baseline(seed: int, dimensions: tuple[str, ...]) -> dict[str, str]:
    return measure({}, seed, dimensions).winners()


def _learner(ns: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    changed = fetch(ns, WORKLOAD_NAME, what="dict")
    if not isinstance(changed, dict):
        raise Failed(f"`{WORKLOAD_NAME}` should be a dict of evolving_orders arguments, not "
                     f"{type(changed).__name__}; for example {{\"decline_rate\": 0.0}}")
    predicted = ns.get(PREDICTION_NAME)
    if predicted is None:
        fetch(ns, PREDICTION_NAME, what="set")
    if isinstance(predicted, str) or not isinstance(predicted, (set, frozenset, list, tuple)):
        raise Failed(f"`{PREDICTION_NAME}` should be a set of dimension names, not {predicted!r}; for example "
                     "{\"evolution & change\"}")
    unknown = [d for d in predicted if d not in DIMENSIONS]
    if unknown:
        raise Failed(f"{unknown[0]!r} is not one of the five dimensions; write them as the scorecard does: "
                     f"{', '.join(DIMENSIONS)}")
    if not predicted:
        raise Failed(f"`{PREDICTION_NAME}` is empty; predict at least one dimension whose winner your change flips")
    same = [k for k, v in changed.items() if k in WORKLOAD and WORKLOAD[k] == v]
    if not changed or len(same) == len(changed):
        raise Failed(f"`{WORKLOAD_NAME}` changes nothing from the baseline {WORKLOAD}; change at least one "
                     "argument (a step, a follower, a decline rate, a slow service...)")
    if "seed" in changed or "wiring" in changed or "faults" in changed:
        raise Failed(f"`{WORKLOAD_NAME}` may not set seed, wiring or faults: the grader chooses the seeds, scores "
                     "both wirings and keeps the fault suite fixed; change the workload itself")
    orders = changed.get("orders", WORKLOAD["orders"])
    if isinstance(orders, int) and orders > MOST_ORDERS:
        raise Failed(f"{orders} orders is more than the grader can score in time; keep orders at most {MOST_ORDERS}")
    try:
        for wiring in ("orchestration", "choreography"):
            _changes_something(wiring, changed)
            if "payments" in changed:  # the learner's own service: what it publishes must reach its readers
                result = evolving_orders(wiring=wiring, seed=SEED, **{**WORKLOAD, **changed}).run()
                verdict_on_run(result, service="payments", yours=f"your {changed['payments'].__name__}")
    except ScenarioError as refused:
        raise Failed(f"evolving_orders refused `{WORKLOAD_NAME}`: {refused}") from None
    except TypeError as wrong:
        raise Failed(f"evolving_orders does not take one of the arguments in `{WORKLOAD_NAME}` ({wrong}); choose "
                     "from orders, rate, decline_rate, latency, screening, followers, payments") from None
    return changed, [d for d in DIMENSIONS if d in set(predicted)]


def _setup(scenario: Any) -> dict[str, Any]:
    # A fault plan compares by identity; none is given here, so leave it out.
    return {k: v for k, v in vars(scenario).items() if k != "faults"}


def _changes_something(wiring: str, changed: Mapping[str, Any]) -> None:
    """Refuse a change that builds the very scenario the baseline builds (values written out, defaults spelt)."""
    if _setup(evolving_orders(wiring=wiring, seed=SEED, **{**WORKLOAD, **changed})) == _setup(
            evolving_orders(wiring=wiring, seed=SEED, **WORKLOAD)):
        raise Failed(f"`{WORKLOAD_NAME}` builds the same scenario as the baseline {WORKLOAD} (every value it sets "
                     "is the baseline's or the default); change at least one argument to another value")


def a_real_change(ns: Mapping[str, Any]) -> None:
    _learner(ns)


def _judge(ns: Mapping[str, Any], seed: int, where: str) -> None:
    changed, predicted = _learner(ns)
    before = _baseline(seed, tuple(predicted))
    after = measure(changed, seed, predicted).winners()
    for dimension in predicted:
        if before[dimension] == after[dimension]:
            raise Failed(f"{where} (seed {seed}) the winner of {dimension} stayed {before[dimension]!r} with your "
                         f"change; either the change does not touch what that dimension measures, or its flip "
                         "depends on the seed — measure it in the notebook and predict only what flips")


def flips_on_the_notebook_seed(ns: Mapping[str, Any]) -> None:
    _judge(ns, SEED, "on the notebook's workload")


def flips_on_an_unseen_workload(ns: Mapping[str, Any]) -> None:
    # Drawn from the grading seed, so a prediction tuned to one seed's accidents does not pass.
    (workload,) = UNSEEN.draw()
    _judge(ns, workload["seed"], "on a workload drawn while grading")


EXERCISE = Exercise("10_winner_flips", "Which winner flips?", [
    Check("a_real_change", "a workload change evolving_orders accepts and a prediction of named dimensions", 2,
          a_real_change),
    Check("flips_on_the_notebook_seed", "every predicted winner flips on the notebook's workload", 4,
          flips_on_the_notebook_seed),
    Check("flips_on_an_unseen_workload", "every predicted winner flips on a workload drawn while grading", 4,
          flips_on_an_unseen_workload),
])
