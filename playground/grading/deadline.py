"""Wall-clock limits for a learner's code, inside the process that runs it.

Simulated time cannot stop ``while True: pass``: a handler that never returns
never yields to the clock. These limits run the code in a thread and, when
its time is up, raise :class:`OutOfTime` inside that thread (and inside the
simulation threads it waits on) until it gives up. Pure Python loops stop
within a fraction of a second; code stuck in a C call is abandoned, and the
grading process, which has its own outer limit, is ended from outside.

>>> call_with_limit(lambda: 6 * 7, seconds=5)
42
>>> def forever():
...     while True:
...         pass
>>> try:
...     call_with_limit(forever, seconds=0.2)
... except OutOfTime as stopped:
...     print(f"stopped after {stopped.seconds} s")
stopped after 0.2 s
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, TypeVar

from playground.compat.cpython import current_frames
from playground.compat.cpython import raise_in_thread as _raise_in
from playground.grading.learner import is_learner_file
from playground.runtime.interrupt import quiet_asyncio as _quiet_asyncio

T = TypeVar("T")

#: Thread-name prefix of the worker threads ``run_simulated`` uses inside a running event loop.
SIMULATION_THREADS = "simulation"
#: How often a stopped thread is asked again; one request can land in code that swallows it.
_REPEAT = 0.1
#: How long to keep asking before abandoning a thread stuck outside Python code.
_GIVE_UP = 3.0


class OutOfTime(KeyboardInterrupt):
    """Raised inside code that outlived its wall-clock limit.

    A ``KeyboardInterrupt`` on purpose: ``except Exception`` in a learner's
    handler (or in the service host, which turns handler errors into dead
    letters) cannot swallow it, and asyncio lets it unwind the whole event
    loop at once instead of storing it in one task while the others — and
    the learner's loop, on the next message — carry on.
    """

    def __init__(self, seconds: float = 0.0, where: str | None = None):
        super().__init__(seconds, where)
        self.seconds = seconds
        self.where = where


class Guard:
    """Stops ``target`` (a thread) and the simulation threads it waits on once ``seconds`` have passed.

    ``start()`` arms it, ``stop()`` disarms it and withdraws any request
    that has not landed yet; ``fired`` tells whether time ran out.
    """

    def __init__(self, seconds: float, target: threading.Thread | None = None):
        self.seconds = seconds
        self.target = target or threading.current_thread()
        self.fired = False
        #: The learner function that was running when time ran out, if any.
        self.where: str | None = None
        self._done = threading.Event()
        self._before = {t.ident for t in threading.enumerate()}
        self._timer = threading.Thread(target=self._watch, name="grading-guard", daemon=True)

    def start(self) -> "Guard":
        self._timer.start()
        return self

    def _victims(self) -> list[int]:
        sims = [t.ident for t in threading.enumerate()
                if t.name.startswith(SIMULATION_THREADS) and t.ident not in self._before]
        # Stop the simulations first: the target usually waits on them in a C-level lock.
        return [*sims, self.target.ident] if sims else [self.target.ident]

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.fired = True
        self.where = _running_learner_function(self._victims())
        while not self._done.is_set():
            for ident in self._victims():
                _raise_in(ident, OutOfTime)
            self._done.wait(_REPEAT)

    def stop(self) -> None:
        self._done.set()
        if self._timer.is_alive() and self._timer is not threading.current_thread():
            self._timer.join()
        if self.fired:
            _raise_in(self.target.ident, None)


def _running_learner_function(thread_ids: list[int]) -> str | None:
    """The innermost learner function one of these threads is executing right now."""
    frames = current_frames()
    for ident in thread_ids:
        frame = frames.get(ident)
        while frame is not None:
            code = frame.f_code
            if is_learner_file(code.co_filename) and code.co_name != "<module>":
                return code.co_qualname
            frame = frame.f_back
    return None


def call_with_limit(fn: Callable[[], T], *, seconds: float) -> T:
    """Call ``fn()`` in its own thread; return its result, re-raise its exception, or raise :class:`OutOfTime`.

    The :class:`OutOfTime` raised here names, in ``where``, the innermost
    learner function that was running when time ran out (None if unknown).
    """
    with _quiet_asyncio():
        return _call_with_limit(fn, seconds)


def _call_with_limit(fn: Callable[[], T], seconds: float) -> T:
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def body() -> None:
        try:
            try:
                outcome["value"] = fn()
            except BaseException as exc:  # handed to the caller, whatever it is
                outcome["error"] = exc
            finally:
                finished.set()
        except OutOfTime:  # a late request that landed while finishing: already accounted for
            pass

    worker = threading.Thread(target=body, name="grading-check", daemon=True)
    worker.start()
    guard = Guard(seconds, target=worker)
    guard.start()
    deadline = time.monotonic() + seconds + _GIVE_UP
    while not finished.wait(0.05):
        if time.monotonic() > deadline:
            break  # stuck in a C call: abandon the thread, report the limit
    guard.stop()
    error = outcome.get("error")
    if guard.fired or not finished.is_set():
        outcome.clear()  # drop the interrupted run's frames now, so its tasks are collected while muted
        del error
        raise OutOfTime(seconds, guard.where)
    if error is not None:
        raise error.with_traceback(error.__traceback__)
    return outcome["value"]


def describe(stopped: OutOfTime) -> str:
    """One sentence for a learner about code that ran out of time."""
    where = f" (it was still running `{stopped.where}`)" if stopped.where else ""
    return (f"did not finish within {stopped.seconds:g} seconds of real time{where}; "
            "look for a loop that never ends or a wait that nothing ever satisfies.")

