"""Canaries for the asyncio internals in playground/compat/aio.py: each fails in one sentence naming the Python."""

import asyncio
import platform

from playground.compat.aio import TESTED, next_timer, one_turn, wrap_selector


def broke(what: str) -> str:
    return (f"Python {platform.python_version()} changed {what}, which playground/compat/aio.py relies on "
            f"(tested with {TESTED}); mend the fence.")


def test_the_next_timer_is_read_from_the_loops_heap():
    loop = asyncio.new_event_loop()
    try:
        assert next_timer(loop) is None, broke("BaseEventLoop._scheduled (not empty on a fresh loop)")
        later = loop.call_later(30, lambda: None)
        loop.call_later(90, lambda: None)
        assert next_timer(loop) == later.when(), broke("BaseEventLoop._scheduled (its head is not the next timer)")
    finally:
        loop.close()


def test_the_selector_the_loop_waits_on_can_be_wrapped():
    class Spy:
        def __init__(self, selector):
            self.selector, self.waits = selector, []

        def select(self, timeout=None):
            self.waits.append(timeout)
            return self.selector.select(0)

        def __getattr__(self, name):
            return getattr(self.selector, name)

    loop = asyncio.SelectorEventLoop()
    spies = []
    wrap_selector(loop, lambda selector: spies.append(Spy(selector)) or spies[-1])
    try:
        loop.run_until_complete(asyncio.sleep(0))
        assert spies and spies[0].waits, broke("BaseSelectorEventLoop._selector (the loop no longer waits on it)")
    finally:
        loop.close()


def test_one_turn_resumes_where_sleep_zero_does():
    async def order(pause) -> list[str]:
        seen: list[str] = []

        async def worker(name: str) -> None:
            for step in range(3):
                seen.append(f"{name}{step}")
                await pause()

        loop = asyncio.get_running_loop()
        loop.call_soon(seen.append, "callback")
        await asyncio.gather(worker("a"), worker("b"), worker("c"))
        return seen

    with_sleep = asyncio.run(order(lambda: asyncio.sleep(0)))
    with_turn = asyncio.run(order(one_turn))
    assert with_turn == with_sleep, broke("Task.__step (a bare yield no longer waits exactly one loop turn)")
    assert with_sleep.index("callback") < with_sleep.index("a1"), "the comparison needs interleaving to mean anything"
