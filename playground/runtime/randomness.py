"""Seeded randomness: one independent ``random.Random`` per source, derived from the scenario seed.

Each source of randomness (the workload, one service's latency, the fault
injector...) draws from its own stream, so adding a new source never shifts
the numbers another source sees.

>>> a, b = Randomness(7), Randomness(7)
>>> a.stream("latency:payments").random() == b.stream("latency:payments").random()
True
>>> Randomness(7).stream("x").random() == Randomness(8).stream("x").random()
False
"""

from __future__ import annotations

import hashlib
import random


class Randomness:
    """Hands out one ``random.Random`` per named source, all derived from ``seed``."""

    def __init__(self, seed: int):
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        """The stream for ``name``; the same object every time it is asked for."""
        rng = self._streams.get(name)
        if rng is None:
            # sha256 rather than hash(): str hashes change with PYTHONHASHSEED.
            digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
            rng = self._streams[name] = random.Random(int.from_bytes(digest[:8], "big"))
        return rng
