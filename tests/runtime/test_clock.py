import asyncio
import threading

import pytest

from playground.errors import HorizonExceeded
from playground.runtime.clock import VirtualTimeLoop, run_simulated


def test_clock_jumps_to_next_timer_without_waiting():
    async def main():
        loop = asyncio.get_running_loop()
        seen = []
        for delay in (5.0, 0.25, 3600.0):
            await asyncio.sleep(delay)
            seen.append(loop.time())
        return seen

    assert run_simulated(main, horizon=10_000) == [5.0, 5.25, 3605.25]


def test_concurrent_sleepers_wake_in_time_order():
    async def main():
        order = []

        async def sleeper(name, delay):
            await asyncio.sleep(delay)
            order.append((name, asyncio.get_running_loop().time()))

        await asyncio.gather(sleeper("c", 3), sleeper("a", 1), sleeper("b", 2))
        return order

    assert run_simulated(main, horizon=10) == [("a", 1.0), ("b", 2.0), ("c", 3.0)]


def test_horizon_stops_a_run_that_never_ends_with_one_sentence():
    async def forever():
        while True:
            await asyncio.sleep(1)

    with pytest.raises(HorizonExceeded) as caught:
        run_simulated(forever, horizon=50)
    message = str(caught.value)
    assert "50 simulated seconds" in message and "\n" not in message


def test_runs_from_inside_a_running_loop_like_a_jupyter_cell():
    async def simulated():
        await asyncio.sleep(100)
        return asyncio.get_running_loop().time(), threading.current_thread().name

    async def kernel_cell():
        return run_simulated(simulated, horizon=1000)

    when, thread = asyncio.run(kernel_cell())
    assert when == 100.0
    assert thread.startswith("simulation")


def test_leftover_tasks_are_cancelled_and_loop_closed():
    leftovers = []

    async def main():
        async def background():
            try:
                await asyncio.sleep(10_000)
            except asyncio.CancelledError:
                leftovers.append("cancelled")
                raise

        asyncio.get_running_loop().create_task(background())
        await asyncio.sleep(1)

    run_simulated(main, horizon=100)
    assert leftovers == ["cancelled"]


def test_virtual_loop_starts_at_zero():
    loop = VirtualTimeLoop()
    try:
        assert loop.time() == 0.0
    finally:
        loop.close()
