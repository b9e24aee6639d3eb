"""Simulated time: an asyncio loop whose clock jumps to the next timer when idle.

Every scenario runs on :class:`VirtualTimeLoop` by default. Nothing waits for
real seconds: when no callback is ready, the loop moves its clock straight to
the earliest scheduled timer. The same program therefore produces the same
timings on a fast laptop, a busy CI machine, or inside a Jupyter kernel.

>>> import asyncio
>>> async def nap():
...     loop = asyncio.get_running_loop()
...     await asyncio.sleep(3600)
...     return loop.time()
>>> run_simulated(nap, horizon=7200)
3600.0
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import selectors
from typing import Any, Awaitable, Callable, TypeVar

from playground.compat.aio import next_timer, wrap_selector
from playground.errors import HorizonExceeded
from playground.runtime.interrupt import quiet_asyncio, run_in_thread

T = TypeVar("T")


class _VirtualSelector:
    """Wraps the real selector: polls real I/O without blocking, then jumps the clock."""

    def __init__(self, selector: selectors.BaseSelector, loop: "VirtualTimeLoop"):
        self._selector = selector
        self._loop = loop
        self._busy_turns = 0

    def select(self, timeout: float | None = None):
        # A real poll costs a system call, and only other threads can produce real I/O
        # (a thread-safe call lands in the ready queue by itself; its wake-up byte can
        # wait), so when callbacks are ready or a timer is due, poll now and then only.
        self._busy_turns += 1
        if timeout == 0:
            if self._busy_turns % 64:
                return []
            return self._selector.select(0)
        if not self._busy_turns % 64:
            events = self._selector.select(0)
            if events:
                return events
        due = next_timer(self._loop)
        if due is not None:
            # Jump exactly to the next timer so sums of delays stay exact.
            self._loop._now = max(self._loop._now, due)
            return []
        # Nothing scheduled and nothing ready: only another thread can wake us.
        return self._selector.select(timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._selector, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop on simulated time, starting at 0.0 seconds."""

    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0
        wrap_selector(self, lambda selector: _VirtualSelector(selector, self))

    def time(self) -> float:
        return self._now


async def _under_horizon(main: Callable[[], Awaitable[T]], horizon: float) -> T:
    try:
        async with asyncio.timeout(horizon):
            return await main()
    except TimeoutError:
        raise HorizonExceeded(
            f"The run was still busy at its horizon of {horizon:g} simulated seconds; "
            "pass a larger horizon= or look for a message cycle or a stuck service."
        ) from None


def _run_here(main: Callable[[], Awaitable[T]], horizon: float, seen: dict | None = None) -> T:
    loop = VirtualTimeLoop()
    if seen is not None:
        seen["loop"] = loop  # so an interrupt can say where the run was
    # A run allocates millions of short-lived objects while its trace keeps growing;
    # the cyclic collector would rescan that trace again and again (about a fifth of
    # the run time). The collector catches up once the run is over.
    collecting = gc.isenabled()
    gc.disable()
    interrupted: BaseException | None = None
    try:
        return loop.run_until_complete(_under_horizon(main, horizon))
    except KeyboardInterrupt as stop:
        interrupted = stop
        raise
    finally:
        if collecting:
            gc.enable()
        try:
            _cancel_leftovers(loop, interrupted)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def _cancel_leftovers(loop: asyncio.AbstractEventLoop, interrupted: BaseException | None = None) -> None:
    # An interrupt lands in one task; tasks awaiting that one raise it again while
    # they are cancelled, so an interrupted run is cleaned up in a few rounds, quietly.
    # A new interrupt (another instance) still goes through.
    with quiet_asyncio(collect=False) if interrupted is not None else contextlib.nullcontext():
        for _ in range(8 if interrupted else 1):
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in tasks:
                task.cancel()
            if not tasks:
                return
            try:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            except KeyboardInterrupt as again:
                if again is not interrupted:
                    raise


def run_simulated(main: Callable[[], Awaitable[T]], *, horizon: float) -> T:
    """Run ``main()`` to completion on simulated time and return its result.

    Works from a script and from a Jupyter cell: when the calling thread
    already runs an event loop (as a kernel does), the simulation runs on its
    own loop in a worker thread and this call blocks until it finishes; one
    interrupt stops both (see :mod:`playground.runtime.interrupt`).

    Args:
        main: a zero-argument coroutine function; it is called on the new loop.
        horizon: simulated seconds after which the run is stopped with
            :class:`~playground.errors.HorizonExceeded`.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(main, horizon)
    seen: dict = {}
    return run_in_thread(lambda: _run_here(main, horizon, seen),
                         where=lambda: f" at simulated second {seen['loop'].time():,.3f}" if seen else "")
