"""Running a simulation in a thread of its own that one interrupt stops for good.

Inside Jupyter the kernel's loop is already running, so a simulated run gets
a loop in a worker thread while the cell waits for it. An interrupt (the
kernel's stop button, Ctrl-C) lands in the waiting thread only; left there,
the worker would keep burning a core for the rest of the kernel's life. So
the waiting thread passes the interrupt on: it raises ``KeyboardInterrupt``
inside the worker (asyncio lets that unwind the whole loop, even out of a
handler stuck in ``while True``), waits for the worker to end, and reports
in one sentence.

>>> run_in_thread(lambda: 6 * 7)
42
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from playground.compat.cpython import raise_in_thread as _raise_in

T = TypeVar("T")

#: Thread-name prefix of simulation workers (the grader's wall-clock limits look for it).
THREAD_NAME = "simulation"
#: How long the worker gets to unwind (cancel its tasks, stop its app) before it is asked again:
#: one request can land in code that swallows it, but a second one landing in the clean-up spoils it.
_REPEAT = 1.0
#: How long to keep asking before reporting a worker stuck outside Python code.
_GIVE_UP = 3.0
_numbers = itertools.count(1)


@contextmanager
def quiet_asyncio(*, collect: bool = True) -> Iterator[None]:
    """Mute asyncio's (and faust's) complaints about what an interrupted run leaves behind.

    An interrupt unwinds the loop from wherever it lands: faust logs the agents
    it cancels as crashed, and asyncio logs the tasks left behind ("Task was
    destroyed but it is pending!") when they are garbage-collected, so collect
    them before unmuting (unless ``collect`` is False: the caller collects later).
    """
    loggers = [logging.getLogger(name) for name in ("asyncio", "faust", "mode")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        if collect:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def stop_thread(worker: threading.Thread, finished: threading.Event, *, give_up: float = _GIVE_UP) -> bool:
    """Raise ``KeyboardInterrupt`` in ``worker`` until it sets ``finished``; False if it still runs after ``give_up`` s."""
    for _ in range(max(1, round(give_up / _REPEAT))):
        if finished.is_set():
            return True
        _raise_in(worker.ident, KeyboardInterrupt)
        finished.wait(_REPEAT)
    return finished.is_set()


def run_in_thread(fn: Callable[[], T], *, where: Callable[[], str] = lambda: "") -> T:
    """Call ``fn()`` in a worker thread and return its result (or raise its exception).

    An interrupt while waiting stops the worker too and raises one
    ``KeyboardInterrupt`` whose message says so; ``where()`` may add where the
    run was (e.g. " at simulated second 12.5"). Other exceptions that land in
    the waiting thread (a grader's wall-clock limit) stop the worker the same
    way and go on unchanged.
    """
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def body() -> None:
        try:
            try:
                outcome["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, whatever it is
                outcome["error"] = exc
            finally:
                finished.set()
        except KeyboardInterrupt:  # a late request that landed while finishing: already accounted for
            pass

    worker = threading.Thread(target=body, name=f"{THREAD_NAME}-{next(_numbers)}", daemon=True)
    worker.start()
    try:
        # An Event, not worker.join(): a join interrupted by Ctrl-C marks a thread
        # that is still running as stopped (Python 3.11, bpo-45274).
        finished.wait()
    except BaseException as interrupt:
        place = where()
        stopped = stop_thread(worker, finished)
        with quiet_asyncio():
            outcome.clear()  # the interrupted run's frames and tasks go now, quietly
        if type(interrupt) is not KeyboardInterrupt:
            raise
        if stopped:
            raise KeyboardInterrupt(f"The run was interrupted{place} and its simulation thread has stopped.") from None
        raise KeyboardInterrupt(
            f"The run was interrupted{place}, but its simulation thread is stuck outside Python code and keeps "
            "running until that call returns; restart the kernel if it does not.") from None
    if "error" in outcome:
        error = outcome.pop("error")
        raise error.with_traceback(error.__traceback__)
    return outcome["value"]
