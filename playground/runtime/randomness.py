"""Seeded randomness: every random number of a run comes from its :class:`Randomness`, derived from the seed.

Each source of randomness (the workload, one service's latency, the fault
injector...) draws from its own named stream, so adding a new source never
shifts the numbers another source sees. A draw that belongs to one thing
rather than to a sequence (one instance's retry jitter, one case's refusal)
is :meth:`Randomness.draw`: the same number whenever and however often it is
asked for.

>>> a, b = Randomness(7), Randomness(7)
>>> a.stream("latency:payments").random() == b.stream("latency:payments").random()
True
>>> Randomness(7).stream("x").random() == Randomness(8).stream("x").random()
False
>>> Randomness(7).draw("retry:trip-1") == Randomness(7).draw("retry:trip-1") != Randomness(8).draw("retry:trip-1")
True

This module is the only place in the package that builds a ``random.Random``
(the graders' unseen workloads aside); a test keeps it so.
"""

from __future__ import annotations

import hashlib
import random
from typing import NoReturn

from playground.errors import PlaygroundError


def _derive(seed: int, name: str) -> int:
    # sha256 rather than hash(): str hashes change with PYTHONHASHSEED.
    return int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "big")


class Randomness:
    """Hands out one ``random.Random`` per named source, all derived from ``seed``."""

    def __init__(self, seed: int):
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        """The stream for ``name``; the same object every time it is asked for."""
        rng = self._streams.get(name)
        if rng is None:
            rng = self._streams[name] = random.Random(_derive(self.seed, name))
        return rng

    def draw(self, name: str) -> float:
        """A number in [0, 1) that depends on the seed and ``name`` alone, not on what was drawn before."""
        return (_derive(self.seed, f"draw:{name}") >> 11) / (1 << 53)


def chance(rng: random.Random, p: float) -> bool:
    """True with probability ``p``, drawing from ``rng`` only when the answer is not certain.

    So a service that always (or never) fails needs no seeded stream.

    >>> chance(Unseeded("A sure thing", "nothing to do"), 1.0), chance(Randomness(1).stream("x"), 0.0)
    (True, False)
    """
    return p >= 1 or (p > 0 and rng.random() < p)


class Unseeded:
    """Stands where a seeded stream belongs but none was given: drawing from it fails with one sentence.

    >>> Unseeded("This bus's fault plan", "build the bus with randomness=Randomness(seed)").random()
    Traceback (most recent call last):
    ...
    playground.errors.PlaygroundError: This bus's fault plan draws a random number but was given no seeded stream; build the bus with randomness=Randomness(seed).
    """

    def __init__(self, what: str, fix: str):
        self._what, self._fix = what, fix

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):
            raise AttributeError(name)
        raise PlaygroundError(f"{self._what} draws a random number but was given no seeded stream; {self._fix}.")

    def __repr__(self) -> str:
        return "Unseeded()"
