"""Scaled real time: the clock live mode runs on, inside a loop that is already running.

A simulated run needs no clock of its own: the virtual-time loop *is* the
clock. Live mode runs on the Jupyter kernel's ordinary loop instead, where
seconds are real; :class:`ScaledClock` turns them into simulated seconds,
``speed`` of them per wall second. It offers what the bus and the fault plan
use from a loop (``time``, ``call_soon``, ``call_later``, ``call_at``) plus
``now`` and ``sleep``, all in simulated seconds, so hosts, faults and
workloads read the same whichever clock drives them.

>>> import asyncio
>>> async def nap():
...     clock = ScaledClock(speed=1000).attach(asyncio.get_running_loop())
...     await clock.sleep(50)        # 50 simulated seconds = 0.05 wall seconds
...     return 45 < clock.now() < 500
>>> asyncio.run(nap())
True
"""

from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

from playground.errors import PlaygroundError
from playground.runtime.checks import is_number


class ScaledClock:
    """Simulated seconds that pass ``speed`` times faster than wall seconds, from :meth:`attach` on.

    Args:
        speed: simulated seconds per wall second (10 shows a minute of
            business in six seconds; tests use 100 or more).
    """

    def __init__(self, speed: float = 1.0):
        if not is_number(speed) or not speed > 0:
            raise PlaygroundError(f"speed must be a number of simulated seconds per wall second greater than 0, "
                                  f"not {speed!r}.")
        self.speed = float(speed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._origin = 0.0

    def attach(self, loop: asyncio.AbstractEventLoop) -> "ScaledClock":
        """Start counting: simulated time 0 is now, on ``loop``."""
        self._loop = loop
        self._origin = loop.time()
        return self

    @property
    def attached(self) -> bool:
        return self._loop is not None

    def _require(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise PlaygroundError("This clock has not started; a live session attaches it when it starts.")
        return self._loop

    def now(self) -> float:
        """Simulated seconds since :meth:`attach`."""
        return (self._require().time() - self._origin) * self.speed

    time = now

    def wall(self, seconds: float) -> float:
        """How many wall seconds ``seconds`` simulated seconds take."""
        return seconds / self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0) / self.speed)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> asyncio.Handle:
        return self._require().call_soon(callback, *args)

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        return self._require().call_later(max(delay, 0.0) / self.speed, callback, *args)

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        loop = self._require()
        return loop.call_at(self._origin + when / self.speed, callback, *args)

    def __repr__(self) -> str:
        return f"ScaledClock(speed={self.speed:g})"


class WallClock:
    """Timers in Unix seconds on a loop that counts its own (monotonic) seconds: what a Kafka bus runs on.

    A broker run's ``now()`` is wall time, so deadlines computed from it are
    wall times too; ``call_at`` turns them into the loop's clock.

    >>> import asyncio, time
    >>> async def soon():
    ...     clock, fired = WallClock(asyncio.get_running_loop()), asyncio.Event()
    ...     clock.call_at(time.time() + 0.01, fired.set)
    ...     await asyncio.wait_for(fired.wait(), 1)
    ...     return fired.is_set()
    >>> asyncio.run(soon())
    True
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop

    def now(self) -> float:
        return time.time()

    time = now

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> asyncio.Handle:
        return self._loop.call_soon(callback, *args)

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        return self._loop.call_later(max(delay, 0.0), callback, *args)

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        return self._loop.call_later(max(when - time.time(), 0.0), callback, *args)


#: The clock of the live session whose code is running; tasks inherit it. Unset in simulated runs.
_CURRENT: ContextVar[ScaledClock | None] = ContextVar("playground_live_clock", default=None)


def timers(loop: asyncio.AbstractEventLoop | None = None) -> Any:
    """Where code with no bus at hand sets timers: the running live session's clock, else the loop.

    >>> import asyncio
    >>> async def where():
    ...     outside = timers()
    ...     with running_on(ScaledClock(10)):
    ...         return outside is asyncio.get_running_loop(), timers()
    >>> asyncio.run(where())
    (True, ScaledClock(speed=10))
    """
    clock = _CURRENT.get()
    if clock is not None:
        return clock
    return loop if loop is not None else asyncio.get_running_loop()


@contextmanager
def running_on(clock: ScaledClock) -> Iterator[ScaledClock]:
    """Run the block — and every task it creates — on ``clock``'s time."""
    token = _CURRENT.set(clock)
    try:
        yield clock
    finally:
        _CURRENT.reset(token)
