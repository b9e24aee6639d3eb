"""CPython internals used to stop a thread that runs a simulation or a learner's code (tested with CPython 3.11, 3.12).

``tests/compat/test_cpython.py`` fails in one sentence naming the running
Python if either stops working.
"""

from __future__ import annotations

import ctypes
import sys
from types import FrameType

TESTED = "3.11, 3.12"


def raise_in_thread(thread_id: int, exc: type[BaseException] | None) -> None:
    """Ask thread ``thread_id`` to raise ``exc`` at its next Python instruction; None withdraws a pending request.

    Relies on: the C API ``PyThreadState_SetAsyncExc`` (through ctypes), which
    takes the thread id as an unsigned long and NULL to clear.
    """
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


def current_frames() -> dict[int, FrameType]:
    """Every thread's current frame, by thread id. Relies on: ``sys._current_frames()``."""
    return sys._current_frames()
