"""Canaries for the asyncio internals in playground/compat/aio.py: each fails in one sentence naming the Python."""

import asyncio
import platform

from playground.compat.aio import TESTED, next_timer, wrap_selector


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
