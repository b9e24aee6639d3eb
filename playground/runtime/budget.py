"""Bounded size: refuse a run that cannot fit in memory, and show progress on one that takes a while.

A simulated run keeps its whole trace, so its memory grows with the number of
business transactions (about 2.5 KB each in the order flow since the compact trace, measured by
``benchmarks/guard_rails.py``). :func:`refuse_if_too_big` compares that
estimate with the memory the machine has free *before* the run starts, and
refuses with one sentence saying how many would fit.

>>> refuse_if_too_big(1_000, "orders", bytes_each=12_000, free=8 * 2**30)
>>> refuse_if_too_big(10**9, "orders", bytes_each=12_000, free=8 * 2**30)
Traceback (most recent call last):
...
playground.errors.ScenarioError: 1,000,000,000 orders would need about 11 TB of memory for their trace (about 12 KB each), more than the 8.0 GB this machine has free; run at most about 572,662 orders at a time.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from playground.errors import ScenarioError

#: A run may take this share of the free memory; the rest is for the kernel, plots and analysis.
SHARE = 0.8
#: Progress appears only for runs that last longer than this many seconds of wall time.
PROGRESS_AFTER = 2.0
#: "0" switches progress bars off, "1" on. Unset, they are off under pytest (kernels that nbval starts
#: inherit its PYTEST_CURRENT_TEST), so notebook outputs never depend on the speed of the machine.
PROGRESS_SWITCH = "PLAYGROUND_PROGRESS"


def free_memory() -> int | None:
    """Bytes of memory available to a new run, or None where the system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit in ("bytes", "KB", "TB") else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def refuse_if_too_big(count: int, unit: str, *, bytes_each: int, free: int | None = None) -> None:
    """Raise :class:`~playground.errors.ScenarioError` when ``count`` transactions would not fit in memory."""
    free = free_memory() if free is None else free
    if free is None:
        return
    need = count * bytes_each
    if need <= SHARE * free:
        return
    fits = int(SHARE * free // bytes_each)
    raise ScenarioError(
        f"{count:,} {unit} would need about {_size(need)} of memory for their trace (about {_size(bytes_each)} "
        f"each), more than the {_size(free)} this machine has free; run at most about {fits:,} {unit} at a time.")


class _Sweep(threading.local):
    active = False


_in_sweep = _Sweep()


@contextmanager
def sweep(total: int, unit: str) -> Iterator[Callable[[], None]]:
    """One progress bar for many runs (a table of fault plans, a range of seeds); yields ``step()``.

    Call ``step()`` after each run. The bar appears only once the sweep has
    lasted :data:`PROGRESS_AFTER` seconds, under the same switch as a run's bar;
    the runs inside show no bar of their own.

    >>> with sweep(3, "plans") as step:
    ...     for _ in range(3):
    ...         step()
    """
    bar = None
    if progress_wanted() and total > 0:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit=f" {unit}", delay=PROGRESS_AFTER, leave=False, file=sys.stderr,
                   mininterval=0.5)
    outer, _in_sweep.active = _in_sweep.active, True
    try:
        yield (bar.update if bar is not None else (lambda: None))
    finally:
        _in_sweep.active = outer
        if bar is not None:
            bar.close()


def progress_wanted() -> bool:
    switch = os.environ.get(PROGRESS_SWITCH)
    if switch is not None:
        return switch != "0"
    return "PYTEST_CURRENT_TEST" not in os.environ


@contextmanager
def progress(total: int, unit: str, done: Callable[[], int]) -> Iterator[None]:
    """Show a progress bar while the body runs, if it runs longer than :data:`PROGRESS_AFTER` seconds
    (only for runs started from the main thread: a cell, a script, the command line).

    ``done()`` is read from a watcher thread a few times a second; the run
    itself is never touched, so its trace stays the same with or without a bar.
    """
    if (not progress_wanted() or total <= 0 or threading.current_thread() is not threading.main_thread()
            or _in_sweep.active):
        # Runs in worker threads (a panel's replay, a grader's check) have their own display; runs inside a
        # sweep count towards the sweep's one bar.
        yield
        return
    from tqdm.auto import tqdm

    stop = threading.Event()
    bar = tqdm(total=total, unit=f" {unit}", delay=PROGRESS_AFTER, leave=False, file=sys.stderr,
               desc="started", mininterval=0.5)

    def watch() -> None:
        while not stop.wait(0.25):
            bar.update(min(done(), total) - bar.n)

    watcher = threading.Thread(target=watch, name="progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        bar.close()
