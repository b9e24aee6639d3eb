"""Workloads the learner has never seen: drawn when grading, recorded in the report, replayable.

A check that replays the notebook's own seed can be passed by an answer that
remembers what the notebook printed. Checks judge behaviour on workloads drawn
at grading time instead. Every grading has one **grading seed** — fresh from
the operating system, or given (``playground grade --seed N``, or the
``PLAYGROUND_GRADING_SEED`` environment variable, which is how nbgrader's
kernels are told to use the same one). Each check derives its workloads from
that seed and its own id, so checks do not share draws, and the report
records the seed, so any verdict can be replayed.

An exercise declares what may vary in one line: a ``(low, high)`` pair is a
range (whole numbers if both ends are), a list is a choice, anything else is
fixed. ``runs`` workloads are drawn, each with a seed of its own (never one of
``avoid_seeds``, the seeds the notebook shows)::

    UNSEEN = Unseen(runs=3, orders=(30, 60), decline_rate=(0.2, 0.35), avoid_seeds={7})

    def points_for_completed_orders(ns):
        for workload in UNSEEN.draw():
            with on(workload):                       # a Failed names the workload it happened on
                result = order_flow_with(Loyalty, reactions, **workload).run()
                if ...:
                    raise Failed("order-0012 was cancelled yet earned points; ...")

Adversarial knobs are drawn the same way: slower tails, duplicate
fractions, which calls crash after their work — and split off before the
rest goes to the scenario (``knobs, params = split(workload, "tail")``).

>>> UNSEEN = Unseen(runs=2, orders=(30, 60), decline_rate=0.25, avoid_seeds={7})
>>> with grading_seed(2024, check="demo"):
...     first = UNSEEN.draw()
>>> with grading_seed(2024, check="demo"):
...     again = UNSEEN.draw()
>>> first == again, len(first), sorted(first[0])
(True, 2, ['decline_rate', 'orders', 'seed'])
>>> all(30 <= w["orders"] <= 60 and w["seed"] != 7 for w in first)
True
>>> label({"orders": 41, "seed": 80817, "decline_rate": 0.25})
'orders=41, seed=80817, decline_rate=0.25'
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playground.errors import PlaygroundError
from playground.grading.learner import Failed

#: The environment variable that fixes the grading seed (nbgrader's kernels inherit it).
SEED_VARIABLE = "PLAYGROUND_GRADING_SEED"
#: Workload seeds are drawn from here: far from the small seeds notebooks print.
SEED_RANGE = (1_000, 1_000_000)

_CURRENT: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar("grading_seed", default=None)


def fresh_seed() -> int:
    """The grading seed to use now: ``PLAYGROUND_GRADING_SEED`` if set, otherwise a new random one."""
    given = os.environ.get(SEED_VARIABLE, "").strip()
    if given:
        try:
            return int(given)
        except ValueError:
            raise PlaygroundError(f"{SEED_VARIABLE} is {given!r}; set it to a whole number or unset it.") from None
    return secrets.randbelow(10**9)


@contextmanager
def grading_seed(seed: int, *, check: str) -> Iterator[None]:
    """Within this block, :meth:`Unseen.draw` draws for ``check`` from grading seed ``seed``."""
    token = _CURRENT.set((seed, check))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> tuple[int, str]:
    """The grading seed and check id in force (outside a grading: a fresh seed, check ``"-"``)."""
    found = _CURRENT.get()
    return found if found is not None else (fresh_seed(), "-")


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _value(rng: random.Random, spec: Any) -> Any:
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(x, (int, float)) for x in spec):
        low, high = spec
        if isinstance(low, int) and isinstance(high, int):
            return rng.randint(low, high)
        return round(rng.uniform(low, high), 2)
    if isinstance(spec, list):
        return rng.choice(spec)
    return spec


class Unseen:
    """What may vary between the workloads a check is judged on.

    Args:
        runs: how many workloads :meth:`draw` returns, each with its own seed.
        avoid_seeds: seeds never drawn (the ones the notebook shows).
        **vary: parameter → a ``(low, high)`` range, a list to choose from, or a fixed value.
    """

    def __init__(self, *, runs: int = 3, avoid_seeds: set[int] | frozenset[int] = frozenset(), **vary: Any):
        if runs < 1:
            raise PlaygroundError(f"Unseen needs at least one run, not {runs}.")
        self.runs, self.avoid, self.vary = runs, frozenset(avoid_seeds), dict(vary)

    def draw(self, salt: str = "") -> list[dict[str, Any]]:
        """The workloads for the check being graded now (the same ones for the same grading seed)."""
        seed, check = current()
        rng = _rng(seed, check, salt)
        workloads = []
        for _ in range(self.runs):
            workload_seed = rng.randrange(*SEED_RANGE)
            while workload_seed in self.avoid:
                workload_seed = rng.randrange(*SEED_RANGE)
            workload = {name: _value(rng, spec) for name, spec in self.vary.items()}
            workloads.append({**workload, "seed": workload_seed})
        return workloads


def label(workload: dict[str, Any]) -> str:
    """A workload as ``name=value`` pairs, for feedback a learner can replay."""
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in workload.items())


def split(workload: dict[str, Any], *knobs: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(the knobs a check reads itself, the rest for the scenario)``; the workload is left whole for :func:`label`."""
    return ({k: v for k, v in workload.items() if k in knobs},
            {k: v for k, v in workload.items() if k not in knobs})


@contextmanager
def on(workload: dict[str, Any]) -> Iterator[None]:
    """A :class:`~playground.grading.checks.Failed` raised inside names the workload it happened on."""
    try:
        yield
    except Failed as failed:
        raise Failed(f"{str(failed).rstrip('.')} (fresh workload: {label(workload)})") from None
