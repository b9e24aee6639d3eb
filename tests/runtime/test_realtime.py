"""Scaled real time: simulated seconds as a multiple of wall seconds, on a loop that is already running."""

import asyncio
import time

import pytest

from playground.errors import PlaygroundError
from playground.runtime.realtime import ScaledClock, running_on, timers


def test_sleep_and_timers_are_scaled_by_the_speed():
    async def main():
        clock = ScaledClock(speed=100).attach(asyncio.get_running_loop())
        fired = asyncio.Event()
        start = time.perf_counter()
        clock.call_later(10, fired.set)            # 10 simulated s = 0.1 wall s
        await fired.wait()
        wall = time.perf_counter() - start
        return wall, clock.now()

    wall, now = asyncio.run(main())
    assert 0.09 <= wall < 0.5
    assert 9.9 <= now < 50


def test_call_at_counts_from_the_moment_the_clock_was_attached():
    async def main():
        loop = asyncio.get_running_loop()
        clock = ScaledClock(speed=50).attach(loop)
        seen = []
        clock.call_at(5.0, lambda: seen.append(clock.now()))
        await asyncio.sleep(0.15)
        return seen

    (when,) = asyncio.run(main())
    assert 5.0 <= when < 6.5


def test_timers_follow_the_clock_of_the_code_that_is_running():
    async def main():
        clock = ScaledClock(20).attach(asyncio.get_running_loop())
        with running_on(clock):
            inside = await asyncio.get_running_loop().create_task(_where())
        return inside is clock, timers() is asyncio.get_running_loop()

    async def _where():
        return timers()

    assert asyncio.run(main()) == (True, True)


def test_a_clock_refuses_nonsense_and_must_be_started():
    with pytest.raises(PlaygroundError, match="greater than 0"):
        ScaledClock(0)
    with pytest.raises(PlaygroundError, match="not started"):
        ScaledClock(2).now()
