"""Benchmark: the panel's replay, and whether live mode leaves the kernel free to run cells.

Run with ``python benchmarks/replay.py``. Prints

* the wall time of the panel's **replay** of 1,000 orders — re-run on
  simulated time, counters and invariants, re-plot to PNG on the figure the
  panel keeps for its replays (built once; the first replay draws it, later
  ones move its lines), with the cost of a new figure printed for
  comparison — against the bare
  scenario run it is built on, measured in the same process, the two taking
  turns with the heap collected before each (goals, printed with met or
  MISSED: ≤ 300 ms for 1,000 orders, and counters + plot ≤ 25% on top of the
  bare run);
* the **lateness of a coroutine** that wakes every 10 ms on the same loop,
  first alone, then while a live panel runs both wirings and refreshes its
  counters (4 Hz) and plot (1 Hz): what a widget callback or an async cell
  waits for;
* the round trip of a **new cell** (``1 + 1``) in a real Jupyter kernel,
  before and while a live panel runs in that kernel (``--no-kernel`` skips it).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from _goals import compare, goal, scaled

from playground.live.panel import LivePanel
from playground.live.plot import LivePlot, png
from playground.live.replay import run_replay
from playground.live.settings import Settings
from playground.scenarios import order_flow

GOAL_ORDERS, GOAL_TOTAL, GOAL_SHARE = 1_000, 0.300, 0.25


def replay_figures(rounds: int, orders: int) -> None:
    settings = Settings(orders=orders, seed=7)
    order_flow(orders=10, seed=1).run()  # warm-up: imports, faust's lazy settings, fonts
    plot = LivePlot(size=(8.0, 4.6))  # the panel's replay plot (LivePanel._replay_plot)
    run_replay(settings.but(orders=10)).picture(plot)
    parts: dict[str, list[float]] = {"run": [], "counters": [], "plot": []}

    def replay() -> None:
        t0 = time.perf_counter()
        replayed = run_replay(settings)
        t1 = time.perf_counter()
        replayed.summary(digest=False)  # the panel's counters, invariants included
        t2 = time.perf_counter()
        replayed.picture(plot)
        t3 = time.perf_counter()
        parts["run"].append(t1 - t0)
        parts["counters"].append(t2 - t1)
        parts["plot"].append(t3 - t2)

    times = compare({"replay": replay, "bare": lambda: order_flow(orders=orders, seed=7).run()}, rounds)
    total, bare = times["replay"].wall, times["bare"].wall
    print(f"replay of {orders:,} orders (choreography), median of {rounds}, "
          "taking turns with the bare run, heap collected before each")
    for name, values in parts.items():
        print(f"  {name:<9} {statistics.median(values) * 1000:7.1f} ms")
    replayed, fresh = run_replay(settings), []
    for _ in range(rounds):
        start = time.perf_counter()
        png(replayed.figure())
        fresh.append(time.perf_counter() - start)
    del replayed
    print(f"  (a new figure each time, as before the panel kept one: plot {statistics.median(fresh) * 1000:.1f} ms)")
    print(f"  {'total':<9} {total * 1000:7.1f} ms")
    print(f"  baseline: the bare scenario run {bare * 1000:7.1f} ms; replay/baseline {total / bare:.2f}x")
    limit, note = scaled(GOAL_TOTAL * 1000, orders, GOAL_ORDERS, f"{GOAL_ORDERS:,} orders ≤ {GOAL_TOTAL * 1000:.0f} ms")
    goal(f"replay of {orders:,} orders (wall)", total * 1000, limit, " ms", note=note)
    extra = statistics.median(parts["counters"]) + statistics.median(parts["plot"])
    goal("counters + plot on top of the bare run", 100 * extra / bare, 100 * GOAL_SHARE, "%",
         note=None if orders == GOAL_ORDERS else f"{orders} orders only, the plot's fixed cost weighs more")


async def _lateness(seconds: float, period: float = 0.01) -> list[float]:
    late = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        await asyncio.sleep(period)
        late.append(time.perf_counter() - start - period)
    return late


def _describe(late: list[float]) -> str:
    late = sorted(late)
    p = lambda q: late[min(len(late) - 1, int(q * len(late)))] * 1000  # noqa: E731
    return f"p50 {p(0.5):5.1f} ms  p99 {p(0.99):5.1f} ms  max {late[-1] * 1000:5.1f} ms"


def loop_figures(seconds: float) -> None:
    async def main() -> tuple[list[float], list[float], dict]:
        alone = await _lateness(seconds)
        panel = LivePanel(Settings(wiring="both", rate=1.0, speed=10.0), key="benchmark")
        await panel.start()
        spent = {"counters": [], "plot": []}
        # Time the panel's own refresh work: counters on the loop, the plot in its worker thread.
        show, draw = panel._show_counts, panel._live_plot.render

        def timed(fn, key):
            def run(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    spent[key].append(time.perf_counter() - start)
            return run

        panel._show_counts, panel._live_plot.render = timed(show, "counters"), timed(draw, "plot")
        busy = await _lateness(seconds)
        panel._show_counts, panel._live_plot.render = show, draw
        await panel.stop()
        return alone, busy, {k: statistics.median(v) * 1000 for k, v in spent.items() if v}, panel

    alone, busy, spent, panel = asyncio.run(main())
    counts = panel.counts()
    print(f"a coroutine waking every 10 ms, {seconds:g} s each:")
    print(f"  loop alone          {_describe(alone)}")
    print(f"  live panel running  {_describe(busy)}   (both wirings, 1 order/s at 10x, "
          f"{sum(c['completed'] for c in counts.values())} orders completed)")
    print(f"  panel work per refresh: counters {spent.get('counters', 0):.1f} ms on the loop (every 0.25 s), "
          f"plot {spent.get('plot', 0):.1f} ms in a worker thread (every 1 s or more)")


def kernel_figures(cells: int) -> None:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        def round_trips() -> list[float]:
            out = []
            for _ in range(cells):
                start = time.perf_counter()
                kc.execute_interactive("1 + 1", timeout=30, output_hook=lambda msg: None)
                out.append(time.perf_counter() - start)
                time.sleep(0.05)
            return out

        kc.execute_interactive("from playground.live.panel import LivePanel\nfrom playground.live.settings import Settings",
                               timeout=60, output_hook=lambda msg: None)
        before = round_trips()
        kc.execute_interactive("panel = LivePanel(Settings(wiring='both', rate=1.0, speed=10.0), key='bench')\n"
                               "await panel.start()", timeout=60, output_hook=lambda msg: None)
        time.sleep(1.5)  # let the plot refresh a couple of times
        during = round_trips()
        reply = kc.execute_interactive("print(panel.counts()['choreography']['completed']); await panel.stop()",
                                       timeout=60, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"a new cell (1 + 1) in a real kernel, {cells} times:")
    print(f"  before live mode    median {statistics.median(before) * 1000:5.1f} ms  max {max(before) * 1000:5.1f} ms")
    print(f"  live panel running  median {statistics.median(during) * 1000:5.1f} ms  max {max(during) * 1000:5.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds in which the replay and the bare run take turns; medians are printed")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to watch the loop, each way")
    parser.add_argument("--cells", type=int, default=20, help="cells to time in the kernel, each way")
    parser.add_argument("--no-kernel", action="store_true", help="skip the measurement in a real kernel")
    parser.add_argument("--quick", action="store_true",
                        help="50 orders, one round, half a second of loop watching, no kernel: checks the script runs")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.no_kernel = 1, 0.5, True
    replay_figures(args.rounds, 50 if args.quick else GOAL_ORDERS)
    loop_figures(args.seconds)
    if not args.no_kernel:
        kernel_figures(args.cells)


if __name__ == "__main__":
    main()
