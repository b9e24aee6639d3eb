"""asyncio event-loop internals the simulated clock and the bus rely on (tested with CPython 3.11 and 3.12).

``tests/compat/test_aio.py`` fails in one sentence naming the running Python
if a release changes any of them.
"""

from __future__ import annotations

import asyncio
import types
from typing import Any

TESTED = "3.11, 3.12"


def next_timer(loop: asyncio.AbstractEventLoop) -> float | None:
    """When the earliest timer scheduled on ``loop`` is due, or None if none is.

    Relies on: ``BaseEventLoop._scheduled``, the heap of ``TimerHandle`` objects
    whose head is the earliest (the loop drops cancelled heads before it asks
    its selector to wait, which is where the simulated clock calls this).
    """
    scheduled = loop._scheduled  # type: ignore[attr-defined]
    return scheduled[0].when() if scheduled else None


def wrap_selector(loop: asyncio.SelectorEventLoop, wrap: Any) -> None:
    """Replace ``loop``'s selector with ``wrap(selector)``, so a wait can be answered without blocking.

    Relies on: ``BaseSelectorEventLoop._selector``, the selector the loop asks
    ``select(timeout)`` with the time until its next timer.
    """
    loop._selector = wrap(loop._selector)  # type: ignore[attr-defined]


@types.coroutine
def one_turn():  # type: ignore[no-untyped-def]
    """Await it to let every callback already ready run first: ``await asyncio.sleep(0)`` without its coroutine.

    Relies on: a task whose coroutine yields a bare ``None`` being scheduled
    again with ``call_soon`` (``Task.__step``), which is all ``sleep(0)`` does
    through its own ``__sleep0`` generator; so awaiting this resumes at the
    same loop turn, in the same order, as awaiting ``asyncio.sleep(0)``.
    """
    yield
