"""Benchmark: memory per order of the order flow on simulated time, with the whole trace kept.

Run with ``python benchmarks/memory.py``. Each size runs in a fresh child
process: it imports the playground and warms up, notes its peak resident
memory, runs the choreographed order flow with that many orders and keeps the
result (the whole trace, as every analysis gets it), then notes its peak
resident memory again. The difference divided by the orders is the memory one
order takes. The marginal figure between the two sizes leaves out what does
not grow with the run.

The large size runs once more with its trace spilling to a temporary file
(``run(trace_to=...)``, 100,000 entries kept in memory): the figure shows what
a run costs when the learner sends its trace to disk, and the two runs' trace
digests must be equal. Each child reads its whole trace once after measuring
(the digest), so the figure is that of a trace every analysis can read.

Goal, printed with met or MISSED: ≤ 4 KB per order at 100,000 orders, whole
trace in memory. The load average is printed before and after: on a shared
machine it says how far to trust the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

from _goals import goal

GOAL_ORDERS, GOAL_KB = 100_000, 4.0


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def child(orders: int, spill_to: str | None) -> None:
    from playground.scenarios import order_flow

    order_flow(orders=10, seed=1).run()  # warm-up: imports and faust's lazy settings
    before = _peak_bytes()
    result = order_flow(orders=orders, seed=7).run(trace_to=spill_to)
    after = _peak_bytes()
    completed = result.counts()["completed"]
    assert completed == orders, result.counts()
    print(json.dumps({"before": before, "after": after, "entries": len(result.trace),
                      "digest": result.trace.digest()}))


def measure(orders: int, spill: bool = False) -> dict:
    """Run one size in a fresh process and return what it noted."""
    with tempfile.TemporaryDirectory() as folder:
        spill_to = ["--spill-to", os.path.join(folder, "run.trace")] if spill else []
        run = subprocess.run([sys.executable, __file__, "--child", str(orders), *spill_to], capture_output=True,
                             text=True, check=False)
    if run.returncode:
        raise SystemExit(f"the run with {orders:,} orders failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def _load() -> str:
    return "load average " + ", ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 300 orders: checks the script runs")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--spill-to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.spill_to)
        return
    print(f"before: {_load()} (2 cores is the reference machine)")
    sizes = (100, 300) if args.quick else (GOAL_ORDERS // 10, GOAL_ORDERS)
    figures = {orders: measure(orders) for orders in sizes}
    spilled = measure(sizes[-1], spill=True)
    print("order flow (choreography) on simulated time, whole trace kept; peak resident memory of a fresh process")
    print(f"{'orders':>9} {'trace entries':>14} {'peak before':>12} {'peak after':>11} {'per order':>10}")
    for label, orders, f in [*((f"{n:,}", n, f) for n, f in figures.items()),
                             (f"{sizes[-1]:,}*", sizes[-1], spilled)]:
        grown = f["after"] - f["before"]
        print(f"{label:>9} {f['entries']:>14,} {f['before'] / 2**20:>9.0f} MB {f['after'] / 2**20:>8.0f} MB "
              f"{grown / orders / 1024:>7.1f} KB")
    print("  * trace spilled to a file (run(trace_to=...)), 100,000 entries kept in memory")
    assert spilled["digest"] == figures[sizes[-1]]["digest"], "the spilled trace differs from the one kept in memory"
    print(f"  the spilled and the kept trace have the same digest ({spilled['digest']})")
    (small, a), (large, b) = figures.items()
    marginal = ((b["after"] - b["before"]) - (a["after"] - a["before"])) / (large - small)
    print(f"  marginal, from {small:,} to {large:,} orders: {marginal / 1024:.1f} KB per order")
    per_order = (b["after"] - b["before"]) / large / 1024
    goal(f"memory per order at {large:,} orders", per_order, GOAL_KB, " KB",
         note=None if large == GOAL_ORDERS else f"quick run at {large:,}: fixed costs weigh more")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
