"""Checks every parameter goes through: one sentence naming what was wrong and what to give instead.

>>> whole_number("orders", 3)
3
>>> fraction("failure_rate", 1.5)
Traceback (most recent call last):
...
playground.errors.ScenarioError: failure_rate must be a fraction between 0 and 1, not 1.5.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.errors import ScenarioError
from playground.runtime.latency import Latency, as_latency


def is_whole(value: Any) -> bool:
    """Whether ``value`` is an int (``True`` and ``False`` are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or a float (``True`` and ``False`` are not numbers here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def whole_number(name: str, value: Any, *, minimum: int = 0) -> int:
    if not is_whole(value) or value < minimum:
        raise ScenarioError(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return value


def positive_number(name: str, value: Any) -> float:
    if not is_number(value) or not value > 0:
        raise ScenarioError(f"{name} must be a number greater than 0, not {value!r}.")
    return float(value)


def fraction(name: str, value: Any) -> float:
    if not is_number(value) or not 0 <= value <= 1:
        raise ScenarioError(f"{name} must be a fraction between 0 and 1, not {value!r}.")
    return float(value)


def known_names(what: str, names: Any, allowed: Any) -> None:
    """Refuse names (of services, components...) the scenario does not have."""
    for name in names:
        if name not in allowed:
            raise ScenarioError(
                f"There is no {what} called {name!r} in this scenario; choose from {', '.join(sorted(allowed))}.")


def latencies(given: Mapping[str, "float | Latency"] | None, defaults: Mapping[str, "float | Latency"]) -> dict[str, Latency]:
    """Default latencies overridden by ``given``, every name checked, every value validated."""
    given = dict(given or {})
    known_names("service", given, defaults)
    merged = {**defaults, **given}
    return {name: as_latency(value, what=f"the latency of {name}") for name, value in merged.items()}
