"""What every benchmark shares: fair timing of the sides it compares, and each goal printed with its verdict.

Fair timing (:func:`compare`): before each timed call the previous result is
dropped and the garbage collector runs, so no side pays for another side's
garbage; checks on a result run outside the timed section; the sides take turns
(the order rotates every round) and each figure is the median of the rounds.

Goals (:func:`goal`): one line per goal, the measured figure next to the limit
and ``met`` or ``MISSED`` at the end of the line. A quick run (``--quick``,
sizes far below the goals') scales absolute limits in proportion to its size
and says on every goal line, in parentheses, how it differs from the goal: its
verdicts say nothing about the goals.

Importing this module switches the playground's progress bars off.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from playground.runtime.budget import PROGRESS_SWITCH

# A benchmark times the run, not a progress bar redrawn during it (child processes inherit this too).
os.environ.setdefault(PROGRESS_SWITCH, "0")


@dataclass(frozen=True)
class Timing:
    """Median wall and CPU seconds of one side over all rounds (CPU is steadier on a shared machine)."""

    wall: float
    cpu: float
    rounds: int


def compare(sides: dict[str, Callable[[], object]], rounds: int,
            check: Callable[[str, object], None] | None = None) -> dict[str, Timing]:
    """Time each side ``rounds`` times, taking turns, with a clean heap before each call; ``check`` runs untimed."""
    walls: dict[str, list[float]] = {name: [] for name in sides}
    cpus: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            result = sides[name]()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
            if check is not None:
                check(name, result)
            del result
    gc.collect()
    return {name: Timing(statistics.median(walls[name]), statistics.median(cpus[name]), rounds) for name in sides}


def load_average() -> str:
    """The machine's load average (1, 5 and 15 minutes) and its cores, for a figure's context on a shared machine."""
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):  # not every system reports one
        return "load average unknown"
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1, 5, 15 min) on {os.cpu_count()} cores"


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if 1 <= abs(value) < 10 else f"{value:.3g}"


def goal(what: str, value: float, limit: float, unit: str = "", *, at_least: bool = False,
         note: str | None = None) -> bool:
    """Print one goal's line — the figure, the limit, met or MISSED — and return whether it was met.

    ``note`` says how the measurement differs from the goal as issued (a quick run's smaller size).
    """
    met = value >= limit if at_least else value <= limit
    sign = "≥" if at_least else "≤"
    aside = f" ({note})" if note else ""
    print(f"  goal  {what}: {_number(value)}{unit}, goal {sign} {_number(limit)}{unit}{aside}  "
          f"{'met' if met else 'MISSED'}")
    return met


def scaled(limit: float, size: int, goal_size: int, goal_text: str) -> tuple[float, str | None]:
    """An absolute limit for ``goal_size`` items scaled to ``size`` items, and the note its goal line prints."""
    if size == goal_size:
        return limit, None
    return limit * size / goal_size, f"quick run at {size:,}: limit scaled from {goal_text}"
