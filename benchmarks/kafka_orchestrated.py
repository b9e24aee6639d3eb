"""Benchmark: the order flow orchestrated on a Kafka broker, against the choreography on the same broker.

Run with ``python benchmarks/kafka_orchestrated.py`` (starts a tansu broker
from the test extra) or add ``--broker kafka://host:port`` for another broker.
Both wirings run in this one process, one after the other, on the same broker,
with the same five services, their SQLite state stores and ``--orders``
PlaceOrder records produced at once:

* choreography: the services react to each other's events (seven hops, eight
  records per order: one PlaceOrder and seven events);
* orchestration: an orchestrator worker (its instances in its SQLite store)
  sends six commands and reads seven replies per order, then announces
  ``SagaCompleted`` (fifteen records per order).

Both are timed from the first record produced until the last order is done
(the last email handled; the last saga completed). Events per second count
every record each wiring carries; orders per second is the figure to compare,
and the ratio says what the conductor costs on a broker. No goal is set for
this ratio: it is a figure for the course, not a target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from playground.kafka.broker import broker_address
from playground.kafka.live_trace import LiveTrace
from playground.kafka.tansu import TansuBroker
from playground.kafka.topics import Topology
from playground.workers.kafka import build_bus

from kafka_order_flow import HOPS, SERVICES, _produce_orders, _until

#: Records per order: choreography PlaceOrder + 7 events; orchestration PlaceOrder + 6 commands + 7 replies + end.
RECORDS = {"choreography": 1 + HOPS, "orchestration": 1 + 6 + 7 + 1}


async def run(url: str, wiring: str, orders: int, state_dir: str) -> float:
    topology = Topology(prefix=f"bench-{wiring[:5]}-{os.getpid()}-{orders}")
    names = SERVICES if wiring == "choreography" else ("orchestrator", *SERVICES)
    bus = build_bus(names, url, topology=topology, state_dir=state_dir, trace=LiveTrace(keep=False), wiring=wiring)
    host = getattr(bus, "orchestrator", None)
    if host is not None:  # one worker holds every partition, so it owns every instance
        bus.on_assigned = lambda inbox, partitions: host.own(lambda _: True) if inbox == "orchestrator" else None
    await bus.start()
    try:
        began = await _produce_orders(url, bus.topology, orders, wiring)
        if host is None:
            await _until(lambda: bus.handled >= orders * HOPS, 600)
        else:
            await _until(lambda: sum(i.state == "completed" for i in host.current.instances.values()) >= orders, 600)
        return time.perf_counter() - began
    finally:
        await bus.stop()
        if host is not None:
            host.close()


async def main_async(url: str, orders: int) -> None:
    took = {}
    for wiring in ("choreography", "orchestration"):
        with tempfile.TemporaryDirectory(prefix="bench-state-") as state_dir:
            took[wiring] = await run(url, wiring, orders, state_dir)
    print(f"{orders:,} orders per wiring on {broker_address(url)}")
    print(f"{'':<15}{'wall':>9}{'records':>9}{'events/s':>11}{'orders/s':>10}")
    for wiring, seconds in took.items():
        records = orders * RECORDS[wiring]
        print(f"{wiring:<15}{seconds:>8.2f}s{records:>9,}{records / seconds:>11,.0f}{orders / seconds:>10,.0f}")
    ratio = took["orchestration"] / took["choreography"]
    print(f"orchestration takes {ratio:.2f}x the choreography's time per order on this broker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--broker", help="kafka://host:port (default: start a tansu broker)")
    parser.add_argument("--quick", action="store_true", help="10 orders: checks the script runs")
    args = parser.parse_args()
    if args.quick:
        args.orders = 10
    if args.broker:
        asyncio.run(main_async(args.broker, args.orders))
        return
    with TansuBroker() as broker:
        asyncio.run(main_async(broker.url, args.orders))


if __name__ == "__main__":
    main()
