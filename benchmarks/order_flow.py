"""Benchmark: the order flow on simulated time, against bare faust and bare asyncio pipelines.

Run with ``python benchmarks/order_flow.py``. Prints wall time for 1,000 and
10,000 orders through the choreographed order flow, and the ratio of that to
two baselines run in the same process on the same virtual-time loop with the
same hops and the same processing-time sleeps:

* a bare faust chain (agents on channels, plain tuples, no envelope, no
  trace, no validation) — the ratio is what our layer costs;
* a bare ``asyncio.Queue`` pipeline — what faust itself costs, for reference.

The three take turns with the heap collected before each run (see
``_goals.compare``). Goals, each printed with met or MISSED: ours ≤ 1.0× the
bare faust chain and ≤ 2.0× the bare asyncio pipeline; 1,000 orders ≤ 0.2 s
and 10,000 orders ≤ 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile

from _goals import compare, goal, load_average, scaled
from playground.transport.bus import EmbeddedApp
from playground.runtime.clock import run_simulated
from playground.runtime.randomness import Randomness
from playground.scenarios import order_flow
from playground.scenarios.order_flow import ORDER_LATENCY
from playground.runtime.latency import as_latency

#: The hops one order makes in the choreography: (consumer, next consumer or None).
HOPS = ["orders", "invoices", "payments", "invoices", "shipping", "orders", "email"]
#: The absolute goals: orders → wall seconds.
GOAL_SECONDS = {1_000: 0.2, 10_000: 2.0}


def _bare_main(orders: int, seed: int, transport: str):
    """A coroutine function pushing ``orders`` tuples along HOPS with the same sleeps."""

    async def main() -> None:
        randomness = Randomness(seed)
        rng = randomness.stream("workload")
        latency = {n: as_latency(v) for n, v in ORDER_LATENCY.items()}
        lat_rng = {n: randomness.stream(f"latency:{n}") for n in latency}
        done = asyncio.Event()
        finished = 0

        async def work(name: str, item: tuple) -> tuple | None:
            delay = latency[name].sample(lat_rng[name])
            if delay:
                await asyncio.sleep(delay)
            order, hop = item
            return (order, hop + 1) if hop + 1 < len(HOPS) else None

        def finish() -> None:
            nonlocal finished
            finished += 1
            if finished == orders:
                done.set()

        if transport == "faust":
            with tempfile.TemporaryDirectory() as datadir:
                app = EmbeddedApp("bare", datadir=datadir, loop=asyncio.get_running_loop())
                channels = {n: app.channel(maxsize=0) for n in latency}

                def agent_for(name: str):
                    async def agent(stream):
                        async for item in stream:
                            nxt = await work(name, item)
                            if nxt is None:
                                finish()
                            else:
                                await channels[HOPS[nxt[1]]].put(nxt)
                    return agent

                for name, channel in channels.items():
                    app.agent(channel, name=name)(agent_for(name))
                await app.start()
                app.flow_control.resume()
                for i in range(orders):
                    await asyncio.sleep(rng.expovariate(1.0))
                    await channels[HOPS[0]].put((i, 0))
                await done.wait()
                await asyncio.wait_for(app.stop(), 10)
        else:
            queues = {n: asyncio.Queue() for n in latency}

            async def consumer(name: str) -> None:
                while True:
                    item = await queues[name].get()
                    nxt = await work(name, item)
                    if nxt is None:
                        finish()
                    else:
                        queues[HOPS[nxt[1]]].put_nowait(nxt)

            tasks = [asyncio.create_task(consumer(n)) for n in queues]
            for i in range(orders):
                await asyncio.sleep(rng.expovariate(1.0))
                queues[HOPS[0]].put_nowait((i, 0))
            await done.wait()
            for t in tasks:
                t.cancel()

    return main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds in which the three sides take turns (one at 10,000 orders); medians are printed")
    parser.add_argument("--quick", action="store_true", help="10 and 20 orders, one round: checks the script runs")
    args = parser.parse_args()
    order_flow(orders=10, seed=1).run()  # warm-up: imports and faust's lazy settings
    sizes = (10, 20) if args.quick else GOAL_SECONDS
    print(f"order flow against bare faust and bare asyncio; {load_average()}")
    print(f"{'orders':>7} {'ours':>8} {'bare faust':>11} {'bare asyncio':>13} {'ours/faust':>11} {'ours/asyncio':>13}")
    for orders, goal_size in zip(sizes, GOAL_SECONDS):
        rounds = 1 if args.quick or orders > 1_000 else args.rounds
        horizon = 10 * orders + 3600

        def check(name: str, result) -> None:  # outside the timed section
            if name == "ours":
                assert result.counts()["completed"] == orders, result.counts()

        times = compare({
            "ours": lambda: order_flow(orders=orders, seed=7).run(),
            "faust": lambda: run_simulated(_bare_main(orders, 7, "faust"), horizon=horizon),
            "asyncio": lambda: run_simulated(_bare_main(orders, 7, "asyncio"), horizon=horizon),
        }, rounds, check)
        ours, faust, plain = (times[name].wall for name in ("ours", "faust", "asyncio"))
        print(f"{orders:>7,} {ours:>7.3f}s {faust:>10.3f}s {plain:>12.3f}s {ours / faust:>10.2f}x "
              f"{ours / plain:>12.2f}x   (median of {rounds})")
        cpu = {name: times[name].cpu for name in times}
        print(f"{'CPU':>7} {cpu['ours']:>7.3f}s {cpu['faust']:>10.3f}s {cpu['asyncio']:>12.3f}s "
              f"{cpu['ours'] / cpu['faust']:>10.2f}x {cpu['ours'] / cpu['asyncio']:>12.2f}x   (steadier on a shared machine)")
        small = f"quick run: {orders} orders, start-up weighs more" if args.quick else None
        goal(f"{orders:,} orders, ours / bare faust chain", ours / faust, 1.0, "x", note=small)
        goal(f"{orders:,} orders, ours / bare asyncio pipeline", ours / plain, 2.0, "x", note=small)
        limit, note = scaled(GOAL_SECONDS[goal_size], orders, goal_size,
                              f"{goal_size:,} orders ≤ {GOAL_SECONDS[goal_size]:g} s")
        goal(f"{orders:,} orders, ours (wall)", ours, limit, " s", note=note)
    print(f"after: {load_average()}")


if __name__ == "__main__":
    main()
