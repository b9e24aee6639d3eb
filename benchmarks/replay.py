"""Benchmark: the panel's replay, and whether live mode leaves the kernel free to run cells.

Run with ``python benchmarks/replay.py``. Prints

* the panel's **replay** of 1,000 orders — re-run on simulated time,
  counters and invariants, re-plot to PNG on the figure the panel keeps for
  its replays — against the bare scenario run it is built on, measured in the
  same process, the two taking turns with the heap collected before each.
  Each round replays a new seed (the bare run takes the same seeds), as a
  learner changing a knob between replays would: every replay moves the axes
  and changes the title, so the picture's background is drawn again each
  time. The cost of
  the same replay again (axes unchanged: only the lines and titles are drawn)
  and of a new figure each time are printed beside it. A run switches the
  garbage collector off and leaves its catch-up for later: the first
  collections after it scan everything the run allocated. Each run here (the
  replay's and the bare one) pays that catch-up — a collection of the young
  generations, 0 and 1 — in its own time, so it is charged to the run that
  caused it and not to the counters after it.
  Goals, printed with met or MISSED: ≤ 300 ms for 1,000 orders (wall), and
  counters + plot ≤ 25% on top of the bare run (CPU time, which the load of a
  shared machine disturbs less than wall time; the wall figure is printed too);
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
import gc
import statistics
import time

from _goals import compare, goal, load_average, scaled

from playground.live.panel import LivePanel
from playground.live.plot import LivePlot, png
from playground.live.replay import run_replay
from playground.live.settings import Settings
from playground.scenarios import order_flow

GOAL_ORDERS, GOAL_TOTAL, GOAL_SHARE = 1_000, 0.300, 0.25


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _median(values: list[tuple[float, float]], which: int) -> float:
    return statistics.median(v[which] for v in values)


def replay_figures(rounds: int, orders: int) -> None:
    seeds = range(7, 7 + rounds)  # a new seed each round: new axes and a new title each time
    order_flow(orders=10, seed=1).run()  # warm-up: imports, faust's lazy settings, fonts
    plot = LivePlot(size=(8.0, 4.6))  # the panel's replay plot (LivePanel._replay_plot)
    run_replay(Settings(orders=10, seed=1)).picture(plot)
    parts: dict[str, list[tuple[float, float]]] = {"run": [], "counters": [], "plot": []}
    turns = {"replay": iter(seeds), "bare": iter(seeds)}

    def seed(side: str) -> int:
        return next(turns[side])

    def replay() -> None:
        start = _clock()
        replayed = run_replay(Settings(orders=orders, seed=seed("replay")))
        gc.collect(1)  # the run's own catch-up (see the module's docstring)
        parts["run"].append(_since(start))
        start = _clock()
        replayed.summary(digest=False)  # the panel's counters, invariants included
        parts["counters"].append(_since(start))
        start = _clock()
        replayed.picture(plot)
        parts["plot"].append(_since(start))

    def bare() -> None:
        order_flow(orders=orders, seed=seed("bare")).run()
        gc.collect(1)

    times = compare({"replay": replay, "bare": bare}, rounds)
    total, base = times["replay"], times["bare"]
    print(f"replay of {orders:,} orders (choreography), median of {rounds}, seeds {seeds[0]} to {seeds[-1]} "
          "(one per round), taking turns with the bare run, heap collected before each")
    print(f"  {'':9} {'wall':>9} {'cpu':>9}")
    for name, values in parts.items():
        print(f"  {name:<9} {_median(values, 0) * 1000:6.1f} ms {_median(values, 1) * 1000:6.1f} ms")
    print(f"  {'total':<9} {total.wall * 1000:6.1f} ms {total.cpu * 1000:6.1f} ms")
    print(f"  baseline: the bare scenario run {base.wall * 1000:.1f} ms wall, {base.cpu * 1000:.1f} ms cpu; "
          f"replay/baseline {total.wall / base.wall:.2f}x wall, {total.cpu / base.cpu:.2f}x cpu")
    replayed = run_replay(Settings(orders=orders, seed=seeds[0]))
    again, fresh = [], []
    for _ in range(rounds):
        replayed.picture(plot)  # draws this replay's axes once, so the next one finds them unchanged
        gc.collect()
        start = _clock()
        replayed.picture(plot)
        again.append(_since(start))
        gc.collect()
        start = _clock()
        png(replayed.figure())
        fresh.append(_since(start))
    del replayed
    print(f"  plot of the same replay again (axes unchanged): {_median(again, 0) * 1000:.1f} ms wall, "
          f"{_median(again, 1) * 1000:.1f} ms cpu; on a new figure each time (before the panel kept one): "
          f"{_median(fresh, 0) * 1000:.1f} ms wall, {_median(fresh, 1) * 1000:.1f} ms cpu")
    print(f"  {load_average()}")
    limit, note = scaled(GOAL_TOTAL * 1000, orders, GOAL_ORDERS, f"{GOAL_ORDERS:,} orders ≤ {GOAL_TOTAL * 1000:.0f} ms")
    goal(f"replay of {orders:,} orders (wall)", total.wall * 1000, limit, " ms", note=note)
    extra = {which: _median(parts["counters"], which) + _median(parts["plot"], which) for which in (0, 1)}
    print(f"  counters + plot on top of the bare run: {100 * extra[0] / base.wall:.1f}% wall, "
          f"{100 * extra[1] / base.cpu:.1f}% cpu")
    goal("counters + plot on top of the bare run (cpu)", 100 * extra[1] / base.cpu, 100 * GOAL_SHARE, "%",
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
