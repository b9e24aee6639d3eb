"""Latency distributions for services: fixed, uniform, exponential and long-tail.

>>> from playground.runtime.randomness import Randomness
>>> rng = Randomness(1).stream("latency:payments")
>>> Fixed(0.2).sample(rng)
0.2
>>> as_latency(0.05)
Fixed(seconds=0.05)
>>> 0.1 <= Uniform(0.1, 0.3).sample(rng) <= 0.3
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Union

from playground.errors import ScenarioError


@dataclass(frozen=True)
class Fixed:
    """Always the same number of seconds."""

    seconds: float

    def sample(self, rng: random.Random) -> float:
        return self.seconds

    @property
    def mean(self) -> float:
        return self.seconds


@dataclass(frozen=True)
class Uniform:
    """Anywhere between ``low`` and ``high`` seconds, equally likely."""

    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Exponential:
    """Memoryless service times with the given mean (the classic M/M/1 server)."""

    mean: float

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean)


@dataclass(frozen=True)
class LongTail:
    """Mostly ``typical`` seconds, but a fraction ``tail_chance`` of calls take ``tail`` seconds.

    This is the shape that trips fixed timeouts: the median looks harmless.
    """

    typical: float
    tail: float
    tail_chance: float = 0.05

    def sample(self, rng: random.Random) -> float:
        return self.tail if rng.random() < self.tail_chance else self.typical

    @property
    def mean(self) -> float:
        return self.typical * (1 - self.tail_chance) + self.tail * self.tail_chance


Latency = Union[Fixed, Uniform, Exponential, LongTail]


def as_latency(value: "float | Latency", *, what: str = "latency") -> Latency:
    """Accept a number of seconds or a distribution; refuse anything negative."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fixed, Uniform, Exponential, LongTail)):
        raise ScenarioError(
            f"{what} must be a number of seconds or a distribution such as Uniform(0.1, 0.3), "
            f"not {value!r}."
        )
    if isinstance(value, (int, float)):
        value = Fixed(float(value))
    numbers = [v for v in vars(value).values()]
    if any(v < 0 for v in numbers):
        raise ScenarioError(f"{what} cannot be negative ({value}); use 0 for an instant service.")
    return value
