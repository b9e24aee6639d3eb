"""Live mode: one wiring of the order flow running in scaled real time on the current event loop.

A simulated run finishes before you can blink; a live session keeps going.
It builds the same services and the same wiring a scenario does, but its bus
runs on a :class:`~playground.runtime.realtime.ScaledClock` on the loop that
is already running (a Jupyter kernel's), and a background task places orders
at the configured rate until the session is stopped. Meanwhile the learner
can crash and restore components, change latencies and failure rates, place
one order or inject a duplicate; :attr:`LiveSession.tally` keeps the counters.

>>> import asyncio
>>> async def demo():
...     session = LiveSession(Settings(rate=2, speed=50))
...     await session.start()
...     await asyncio.sleep(0.5)           # 25 simulated seconds
...     await session.stop()
...     return session.tally.counts()["completed"] > 10
>>> asyncio.run(demo())
True
"""

from __future__ import annotations

import asyncio
from typing import Any

from playground.errors import PlaygroundError
from playground.live.faults import LiveFaults
from playground.live.flow import build
from playground.live.settings import SERVICES, SettingError, Settings, available_wirings, parse_latency
from playground.live.tally import Tally
from playground.transport.bus import Bus
from playground.runtime.latency import Latency
from playground.runtime.randomness import Randomness
from playground.runtime.realtime import ScaledClock, running_on
from playground.runtime.trace import Trace
from playground.runtime.result import Result, outcomes_from
from playground.scenarios.order_flow import OrderFlow
from playground.runtime.envelope import DEAD_LETTERS
from playground.services.base import give_streams

#: A live session stops placing orders after this many, so a forgotten session cannot fill the memory.
LIVE_LIMIT = 20_000


def scenario_for(settings: Settings, wiring: str, *, orders: int = 0, faults: Any = None) -> OrderFlow:
    """The scenario these settings describe, for one wiring (live sessions and replays share it)."""
    if wiring not in OrderFlow.wirings:
        raise SettingError(f"The {wiring} wiring is not available here; choose from {', '.join(available_wirings())}.")
    return build(settings.scenario, orders=orders, seed=settings.seed, rate=settings.rate, latency=settings.latency,
                 decline_rate=settings.decline_rate, wiring=wiring, faults=faults, timeout=settings.timeout)


class _SlowOnce:
    """A latency that is ``extra`` seconds longer for the next call only, then the one it wraps."""

    def __init__(self, base: Latency, extra: float):
        self.base, self.extra, self.used = base, extra, False

    def sample(self, rng) -> float:
        if self.used:
            return self.base.sample(rng)
        self.used = True
        return self.base.sample(rng) + self.extra

    @property
    def mean(self) -> float:
        return self.base.mean


class LiveSession:
    """One wiring, running continuously until stopped. Build it, ``await start()``, act, ``await stop()``.

    Args:
        settings: rate, latencies, failure rates... (see :class:`Settings`).
        wiring: which wiring to run; defaults to the settings' (which must then not be "both").
    """

    def __init__(self, settings: Settings | None = None, *, wiring: str | None = None):
        self.settings = settings if settings is not None else Settings()
        self.wiring = wiring or self.settings.wiring
        if self.wiring == "both":
            raise SettingError("A live session runs one wiring; a panel runs two sessions side by side.")
        self.scenario = scenario_for(self.settings, self.wiring)
        self.clock = ScaledClock(self.settings.speed)
        self.faults = LiveFaults()
        self.faults.failure_rates.update(self.settings.failure)
        self.randomness = Randomness(self.settings.seed)
        self.bus = Bus(faults=self.faults, name=f"live-{self.wiring}", randomness=self.randomness, clock=self.clock)
        self.services = self.scenario.build_services(self.randomness)
        give_streams(self.services, self.randomness)
        self.tally = self._tally()
        self.rate = self.settings.rate
        self.placed = 0
        self.state = "new"  # new → running → stopped
        self._driver: asyncio.Task | None = None
        self._workload = self.randomness.stream("workload")

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.state == "running"

    async def start(self) -> None:
        """Start the services and the stream of orders on the running loop."""
        if self.state != "new":
            raise PlaygroundError("A live session runs once; reset the panel (or build a new session) to run again.")
        self.state = "running"
        scenario = self.scenario
        scenario.run_extras = {}
        # Wired here, not in __init__: an orchestrator must be built on the running loop.
        scenario.wirings[self.wiring](scenario, self.bus, self.services, self.randomness)
        self.tally = self._tally()
        # Everything started in this block (agents, saga timers) keeps time on this session's clock.
        with running_on(self.clock):
            await self.bus.start()
            self._driver = asyncio.get_running_loop().create_task(self._drive(), name=f"live orders ({self.wiring})")

    def _tally(self) -> Tally:
        return Tally(self.bus.trace, terminals=self.scenario.terminals,
                     inboxes=[i for i in self.bus.inboxes if i != DEAD_LETTERS] or list(self.services),
                     scenario=self.scenario.name, wiring=self.wiring, start=self.scenario.start_event)

    async def stop(self) -> None:
        """Stop placing orders and stop every service; what was in flight stays unfinished."""
        if self.state != "running":
            self.state = "stopped"
            return
        self.state = "stopped"
        self.tally.update(self.now())
        if self._driver is not None:
            self._driver.cancel()
            await asyncio.gather(self._driver, return_exceptions=True)
        # Stopped from outside every agent: stopping an app from inside its own agent deadlocks.
        await self.bus.stop()

    async def _drive(self) -> None:
        rng = self._workload
        due = self.now()
        while self.placed < LIVE_LIMIT:
            # Arrivals are scheduled on simulated time, so a busy loop that wakes late catches up
            # instead of quietly lowering the order rate.
            due += rng.expovariate(self.rate)
            if due > self.now():
                await self.bus.sleep(due - self.now())
            self.place_order()

    # -- what a learner can do -----------------------------------------------------------------
    def now(self) -> float:
        """Simulated seconds since the session started (0 before)."""
        return self.clock.now() if self.clock.attached else 0.0

    def place_order(self) -> str:
        """Place one order now; returns its id."""
        self._require_running()
        rng = self._workload
        self.placed += 1
        order_id = f"order-{self.placed:04d}"
        payload = {"order_id": order_id, "customer": f"customer-{rng.randrange(1, 51):02d}",
                   "amount": round(rng.uniform(5, 200), 2)}
        bus = self.bus
        bus.publish(bus.message("PlaceOrder", payload, sender="customers", correlation_id=order_id))
        return order_id

    def set_rate(self, rate: float) -> None:
        """Orders per simulated second from the next order on."""
        self.rate = rate

    def set_latency(self, service: str, latency: Any) -> None:
        """Give ``service`` a new processing time from its next call on."""
        self._host(service).latency = parse_latency(latency, f"the latency of {service}")

    def set_failure_rate(self, service: str, rate: float) -> None:
        self._check_service(service)
        self.faults.failure_rates[service] = rate

    def set_decline_rate(self, rate: float) -> None:
        self.services["payments"].decline_rate = rate

    def slow_next(self, service: str, seconds: float) -> None:
        """Make the next call of ``service`` take ``seconds`` longer (a slow payment, say)."""
        self._require_running()
        host = self._host(service)
        host.latency = _SlowOnce(host.latency, seconds)
        now = self.now()
        self.faults.actions.append((now, "slow", service))
        self.bus.trace.record(now, "fault", service, detail={"fault": "slow-call", "seconds": seconds})

    def crash(self, component: str) -> None:
        """Take ``component`` down now; an orchestrator also loses what it kept only in memory."""
        self._check_component(component)
        if self.faults.is_down(component):
            return
        self.faults.crash(component)
        if component == "orchestrator":
            self.bus.handler(component).crash()

    def restore(self, component: str) -> None:
        """Bring ``component`` back now; a new orchestrator resumes what its store kept."""
        self._check_component(component)
        if not self.faults.is_down(component):
            return
        self.faults.restore(component)
        if component == "orchestrator":
            with running_on(self.clock):  # the timers it re-arms run on this session's time
                self.bus.handler(component).restart()

    def duplicate_next(self, inbox: str) -> None:
        self._check_component(inbox)
        self.faults.duplicate_next(inbox)

    def components(self) -> list[str]:
        """What can be crashed: the services, and the orchestrator when the wiring has one."""
        return sorted(self.scenario.components(), key=lambda n: (n == "orchestrator", n))

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> dict[str, int]:
        """Read the new trace entries and return the counters."""
        self.tally.update(self.now())
        if self.bus.failure is not None:
            raise PlaygroundError(f"The {self.wiring} session stopped working: {self.bus.failure}")
        return self.tally.counts()

    def result(self) -> Result:
        """What happened so far, as a scenario :class:`Result` (for plots, metrics and invariants)."""
        ids = list(self.tally.outcome)
        trace, now = self.bus.trace, self.now()
        if any(self.faults.is_down(c) for c in self.faults.windows):
            # A crash still under way has no end yet; the snapshot ends it now, as metrics and
            # timelines expect an end for every "down" entry.
            trace = Trace()
            for e in self.bus.trace.entries:
                detail = e.detail
                if e.kind == "fault" and isinstance(detail, dict) and detail.get("phase") == "down" \
                        and detail.get("until", 0) is None:
                    detail = {**detail, "until": now}
                trace.record(e.time, e.kind, e.at, e.type, e.message_id, e.correlation_id, e.causation_id, detail)
        return Result(self.scenario.name, self.wiring, self.settings.seed, trace,
                      outcomes_from(trace, ids, self.scenario.terminals), list(self.bus.dead_letters),
                      self.services, now, terminals=dict(self.scenario.terminals),
                      start=self.scenario.start_event, unit=self.scenario.unit, extras={"live": True})

    # -- checks -----------------------------------------------------------------------------------
    def _require_running(self) -> None:
        if not self.running:
            raise PlaygroundError("This live session is not running; press start first.")

    def _check_service(self, service: str) -> None:
        if service not in SERVICES:
            raise SettingError(f"There is no service called {service!r}; choose from {', '.join(SERVICES)}.")

    def _check_component(self, component: str) -> None:
        if component not in self.components():
            raise SettingError(f"There is no component called {component!r} in the {self.wiring} wiring; "
                               f"choose from {', '.join(self.components())}.")

    def _host(self, service: str) -> Any:
        self._check_service(service)
        return self.bus.handler(service)

    def __repr__(self) -> str:
        return f"<LiveSession {self.wiring} {self.state}>"
