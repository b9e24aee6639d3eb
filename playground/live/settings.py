"""The knobs of a live session, and how text typed into a panel field becomes one.

Every field of the panel is text, so that a learner can type anything —
and anything wrong is refused with one sentence saying what to type
instead (a :class:`SettingError`), never a traceback.

>>> parse_latency("0.1-0.5", "the latency of payments")
Uniform(low=0.1, high=0.5)
>>> parse_latency("0.3 or 8 at 5%", "the latency of payments")
LongTail(typical=0.3, tail=8.0, tail_chance=0.05)
>>> parse_rate("-2", "the order rate")
Traceback (most recent call last):
...
playground.live.settings.SettingError: the order rate must be a number greater than 0, not -2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from playground.errors import ScenarioError
from playground.live.flow import SCENARIOS
from playground.runtime.latency import Fixed, Latency, LongTail, Uniform, as_latency
from playground.scenarios.order_flow import ORDER_LATENCY, OrderFlow
from playground.runtime.checks import is_whole

#: The order flow's services, in the order the panel lists them.
SERVICES = tuple(ORDER_LATENCY)

#: What the wiring chooser offers; "both" runs the two side by side.
WIRINGS = ("choreography", "orchestration", "both")


class SettingError(ScenarioError):
    """A value typed into a panel field cannot be used; the message says what to type."""


def available_wirings() -> list[str]:
    """The order flow's wirings in this installation (the orchestrated one registers itself)."""
    return [w for w in ("choreography", "orchestration") if w in OrderFlow.wirings]


def _number(text: Any, what: str) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    cleaned = str(text).strip()
    if not cleaned:
        raise SettingError(f"{what} is empty; type a number.")
    try:
        return float(cleaned)
    except ValueError:
        raise SettingError(f"{what} must be a number, not {cleaned!r}.") from None


def _shown(value: float) -> str:
    return f"{value:g}"


def parse_count(text: Any, what: str = "the number of replay orders") -> int:
    """A whole number of orders, from 1 to 100,000."""
    raw = str(text).strip()
    if not raw:
        raise SettingError(f"{what} is empty; type a whole number such as 1000.")
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(f"{what} must be a whole number of at least 1, not {raw!r}.")
    if int(raw) > 100_000:
        raise SettingError(f"{int(raw):,} orders would take a long time to replay; use at most 100,000.")
    return int(raw)


def parse_timeout(text: Any, what: str) -> float | None:
    """Seconds greater than 0, or "off" (None) for an orchestrator that waits for ever."""
    if text is None or str(text).strip().lower() in ("off", "none", "never"):
        return None
    try:
        return parse_rate(text, what)
    except SettingError as exc:
        raise SettingError(str(exc)[:-1] + ', or "off" to wait for ever.') from None


def parse_rate(text: Any, what: str) -> float:
    """A number greater than 0 (orders per simulated second, seconds of timeout, speed...)."""
    value = _number(text, what)
    if not value > 0:
        raise SettingError(f"{what} must be a number greater than 0, not {_shown(value)}.")
    return value


def parse_fraction(text: Any, what: str) -> float:
    """A share between 0 and 1; "10%" is read as 0.1."""
    raw = str(text).strip()
    percent = raw.endswith("%")
    value = _number(raw[:-1] if percent else text, what) / (100 if percent else 1)
    if not 0 <= value <= 1:
        raise SettingError(f"{what} must be between 0 and 1 (or 0% and 100%), not {raw or _shown(value)}.")
    return value


_NUM = r"([0-9]*\.?[0-9]+)"
_RANGE = re.compile(rf"^\s*{_NUM}\s*(?:-|–|\.\.)\s*{_NUM}\s*$")
_TAIL = re.compile(rf"^\s*{_NUM}\s+or\s+{_NUM}\s+at\s+{_NUM}\s*%\s*$", re.I)


def parse_latency(text: Any, what: str) -> Latency:
    """Seconds as a number ("0.2"), a range of equally likely values ("0.1-0.5"),
    or a long tail ("0.3 or 8 at 5%": usually 0.3 s, one call in twenty 8 s)."""
    if isinstance(text, (Fixed, Uniform, LongTail)):
        return text
    raw = str(text).strip()
    tail = _TAIL.match(raw)
    if tail:
        chance = float(tail[3]) / 100
        if chance > 1:
            raise SettingError(f"{what} gives the slow calls a share of {tail[3]}%; use at most 100%.")
        return LongTail(float(tail[1]), float(tail[2]), chance)
    match = _RANGE.match(raw)
    if match:
        low, high = float(match[1]), float(match[2])
        if low > high:
            raise SettingError(f"{what} runs from {match[1]} down to {match[2]}; write the smaller number first.")
        return Uniform(low, high)
    value = _number(raw, what)
    if value < 0:
        raise SettingError(f"{what} cannot be negative ({_shown(value)}); type 0 for an instant service.")
    return as_latency(value, what=what)


def latency_text(latency: Latency) -> str:
    """How a latency is written in a panel field (the inverse of :func:`parse_latency`)."""
    if isinstance(latency, Uniform):
        return f"{latency.low:g}-{latency.high:g}"
    if isinstance(latency, Fixed):
        return f"{latency.seconds:g}"
    if isinstance(latency, LongTail):
        return f"{latency.typical:g} or {latency.tail:g} at {latency.tail_chance * 100:g}%"
    return f"{latency.mean:g}"


@dataclass(frozen=True)
class Settings:
    """Everything a live session or its replay runs with.

    Args:
        scenario: "order-flow" or "invoice-incident" (see :mod:`playground.live.flow`).
        wiring: "choreography", "orchestration" or "both".
        rate: orders per simulated second.
        latency: service → processing time (defaults: the order flow's).
        failure: service → share of its calls that fail and are redelivered.
        decline_rate: share of cards the payment service declines.
        timeout: seconds the orchestrator waits for a reply before it gives a step up (None: for ever).
        speed: simulated seconds per wall second in live mode.
        seed: seeds the workload, latencies and faults.
        orders: how many orders a replay runs.
    """

    scenario: str = "order-flow"
    wiring: str = "choreography"
    rate: float = 1.0
    latency: dict[str, Latency] = field(default_factory=lambda: {n: as_latency(v) for n, v in ORDER_LATENCY.items()})
    failure: dict[str, float] = field(default_factory=dict)
    decline_rate: float = 0.0
    timeout: float | None = None
    speed: float = 10.0
    seed: int = 0
    orders: int = 1000

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise SettingError(f"scenario must be one of {', '.join(SCENARIOS)}, not {self.scenario!r}.")
        if self.wiring not in WIRINGS:
            raise SettingError(f"wiring must be one of {', '.join(WIRINGS)}, not {self.wiring!r}.")
        for name in (*self.latency, *self.failure):
            if name not in SERVICES:
                raise SettingError(f"There is no service called {name!r}; choose from {', '.join(SERVICES)}.")
        merged = {n: as_latency(v) for n, v in ORDER_LATENCY.items()}
        merged.update({n: parse_latency(v, f"the latency of {n}") for n, v in self.latency.items()})
        object.__setattr__(self, "latency", merged)
        object.__setattr__(self, "failure", {n: parse_fraction(v, f"the failure rate of {n}")
                                             for n, v in self.failure.items() if v})
        for name in ("rate", "speed"):
            object.__setattr__(self, name, parse_rate(getattr(self, name), name))
        object.__setattr__(self, "timeout", parse_timeout(self.timeout, "timeout"))
        object.__setattr__(self, "decline_rate", parse_fraction(self.decline_rate, "decline_rate"))
        for name, minimum in (("seed", 0), ("orders", 1)):
            value = getattr(self, name)
            if not is_whole(value) or value < minimum:
                raise SettingError(f"{name} must be a whole number of at least {minimum}, not {value!r}.")

    @property
    def wirings(self) -> list[str]:
        """The wirings to run: one, or both side by side."""
        return ["choreography", "orchestration"] if self.wiring == "both" else [self.wiring]

    def but(self, **changes: Any) -> "Settings":
        """A copy with some fields changed (checked like the original)."""
        return replace(self, **changes)
