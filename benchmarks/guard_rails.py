"""Benchmark: what the guard rails bound — memory per order, and how fast a runaway cycle is stopped.

Run with ``python benchmarks/guard_rails.py [--orders 100000]``. Prints, in one process:

* the memory a run of ``--orders`` orders holds when it is over (its trace, outcomes and services),
  measured with ``tracemalloc`` on the result kept alive, per order, against the same figure for a
  run a tenth the size (the baseline: memory should grow linearly) and against the estimate the
  scenario uses to refuse runs that cannot fit (``Scenario.bytes_per_transaction``);
* the wall time a zero-latency cycle (a consumer that re-emits the event it hears) takes to be
  stopped, and the sentence it is stopped with. Target: under 5 s;
* the wall time a run of a billion orders takes to be refused. Target: well under a second.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

from _goals import goal

from playground.errors import CycleDetected, ScenarioError
from playground.scenarios import order_flow
from playground.scenarios.new_consumer import order_flow_with
from playground.services import Service, emit, handles


GOAL_ORDERS = 100_000


class Echo(Service):
    name = "echo"

    @handles("AwardPoints")
    def award(self, order_id, customer):
        return [emit("OrderCompleted", order_id=order_id, customer=customer)]


def held_by_a_run(orders: int) -> tuple[int, float]:
    """Bytes a finished run of ``orders`` orders keeps alive (its Result), and the wall seconds it took."""
    gc.collect()
    tracemalloc.start()
    began = time.perf_counter()
    result = order_flow(orders=orders, seed=1).run()
    took = time.perf_counter() - began
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.counts()["completed"] == orders
    del result
    gc.collect()
    return held, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=GOAL_ORDERS)
    parser.add_argument("--quick", action="store_true", help="50 orders: checks the script runs")
    args = parser.parse_args()
    if args.quick:
        args.orders = 50

    small = max(1, args.orders // 10)
    base, base_took = held_by_a_run(small)
    big, big_took = held_by_a_run(args.orders)
    estimate = order_flow().bytes_per_transaction
    print(f"memory held after {small:,} orders: {base / 2**20:,.1f} MB ({base / small:,.0f} bytes per order, "
          f"run {base_took:.1f} s under tracemalloc)")
    print(f"memory held after {args.orders:,} orders: {big / 2**20:,.1f} MB ({big / args.orders:,.0f} bytes per "
          f"order, run {big_took:.1f} s under tracemalloc)")
    print(f"per order, large vs small run: {(big / args.orders) / (base / small):.2f}×; "
          f"vs the refusal estimate of {estimate:,} bytes: {(big / args.orders) / estimate:.2f}×")
    note = None if args.orders == GOAL_ORDERS else f"{args.orders:,} orders, not the goal's {GOAL_ORDERS:,}"
    goal(f"memory held per order at {args.orders:,} orders (tracemalloc)", big / args.orders / 1024, 4.0, " KB",
         note=note)

    began = time.perf_counter()
    try:
        order_flow_with(Echo, {"OrderCompleted": "AwardPoints"}, orders=3, seed=1).run()
    except CycleDetected as stopped:
        took = time.perf_counter() - began
        print(f"zero-latency cycle stopped after {took:.2f} s:")
        print(f"  {stopped}")
        goal("zero-latency cycle stopped (wall)", took, 5.0, " s")
    else:
        raise SystemExit("the zero-latency cycle was not stopped")

    began = time.perf_counter()
    try:
        order_flow(orders=1_000_000_000).run()
    except ScenarioError as refused:
        took = time.perf_counter() - began
        print(f"a billion orders refused after {took:.3f} s:")
        print(f"  {refused}")
        goal("a billion orders refused (wall)", took, 1.0, " s")
    else:
        raise SystemExit("a billion orders were not refused")


if __name__ == "__main__":
    main()
