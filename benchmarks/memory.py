"""Benchmark: memory per order of the order flow on simulated time, with the whole trace kept.

Run with ``python benchmarks/memory.py``. Each size runs in a fresh child
process: it imports the playground and warms up, notes its peak resident
memory, runs the choreographed order flow with that many orders and keeps the
result (the whole trace, as every analysis gets it), then notes its peak
resident memory again. The difference divided by the orders is the memory one
order takes. The marginal figure between the two sizes leaves out what does
not grow with the run.

Goal, printed with met or MISSED: ≤ 4 KB per order at 100,000 orders.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

from _goals import goal

GOAL_ORDERS, GOAL_KB = 100_000, 4.0


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def child(orders: int) -> None:
    from playground.scenarios import order_flow

    order_flow(orders=10, seed=1).run()  # warm-up: imports and faust's lazy settings
    before = _peak_bytes()
    result = order_flow(orders=orders, seed=7).run()
    after = _peak_bytes()
    completed = result.counts()["completed"]
    assert completed == orders, result.counts()
    print(json.dumps({"before": before, "after": after, "entries": len(result.trace)}))


def measure(orders: int) -> dict:
    """Run one size in a fresh process and return what it noted."""
    run = subprocess.run([sys.executable, __file__, "--child", str(orders)], capture_output=True, text=True,
                         check=False)
    if run.returncode:
        raise SystemExit(f"the run with {orders:,} orders failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 300 orders: checks the script runs")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sizes = (100, 300) if args.quick else (GOAL_ORDERS // 10, GOAL_ORDERS)
    figures = {orders: measure(orders) for orders in sizes}
    print("order flow (choreography) on simulated time, whole trace kept; peak resident memory of a fresh process")
    print(f"{'orders':>9} {'trace entries':>14} {'peak before':>12} {'peak after':>11} {'per order':>10}")
    for orders, f in figures.items():
        grown = f["after"] - f["before"]
        print(f"{orders:>9,} {f['entries']:>14,} {f['before'] / 2**20:>9.0f} MB {f['after'] / 2**20:>8.0f} MB "
              f"{grown / orders / 1024:>7.1f} KB")
    (small, a), (large, b) = figures.items()
    marginal = ((b["after"] - b["before"]) - (a["after"] - a["before"])) / (large - small)
    print(f"  marginal, from {small:,} to {large:,} orders: {marginal / 1024:.1f} KB per order")
    per_order = (b["after"] - b["before"]) / large / 1024
    goal(f"memory per order at {large:,} orders", per_order, GOAL_KB, " KB",
         note=None if large == GOAL_ORDERS else f"quick run at {large:,}: fixed costs weigh more")


if __name__ == "__main__":
    main()
