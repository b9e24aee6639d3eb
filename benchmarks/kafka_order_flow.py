"""Benchmark: the order flow on a Kafka broker, against a bare faust chain and raw aiokafka.

Run with ``python benchmarks/kafka_order_flow.py`` (starts a tansu broker from
the test extra) or add ``--broker kafka://host:port`` for another broker.
Three figures, all in one run on the same broker, each in this one process:

* ours: the five order-flow services on a KafkaBus (envelopes, validation,
  trace, SQLite state store with its outbox), fed ``--orders`` PlaceOrder
  records at once; timed from the first record produced until the last
  service has handled its last message;
* bare faust: five faust apps with agents on the same topics, the same seven
  hops, the same keys and header routing, passing the bytes along with no
  envelope, trace, validation or state; the ratio ours/bare is our overhead;
* raw aiokafka: the same number of records produced, then consumed, by
  plain aiokafka clients, for reference.

Events per second count every record the flow carries (one PlaceOrder and
seven events per order). Goals, printed with met or MISSED: ours ≤ 1.5× the
bare faust chain, and at least 1,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from _goals import goal

from playground.kafka.broker import broker_address, ensure_topics
from playground.kafka.bus import KafkaApp, app_settings
from playground.kafka.client import orders_for
from playground.kafka.live_trace import LiveTrace
from playground.kafka.tansu import TansuBroker
from playground.kafka.topics import Topology, encode, headers, key
from playground.workers.kafka import REACTIONS, build_bus

SERVICES = ("orders", "invoices", "payments", "shipping", "email")
#: The bare chain: (service, type it reacts to) → type it emits next.
NEXT = {("orders", "PlaceOrder"): "OrderPlaced", ("invoices", "OrderPlaced"): "InvoiceCreated",
        ("payments", "InvoiceCreated"): "PaymentReceived", ("invoices", "PaymentReceived"): "InvoicePaid",
        ("shipping", "InvoicePaid"): "OrderShipped", ("orders", "OrderShipped"): "OrderCompleted",
        ("email", "OrderCompleted"): "ConfirmationSent"}
HOPS = len(NEXT)


async def _produce_orders(url: str, topology: Topology, count: int, batch: str) -> float:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=broker_address(url), linger_ms=5)
    await producer.start()
    try:
        began = time.perf_counter()
        for e in orders_for(count, batch=batch):
            await producer.send(topology.topic_for(e.type), encode(e), key=key(e), headers=headers(e))
        await producer.flush()
        return began
    finally:
        await producer.stop()


async def _until(condition, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the flow did not finish in time")
        await asyncio.sleep(0.01)


async def ours(url: str, orders: int, state_dir: str) -> float:
    topology = Topology(prefix=f"bench-ours-{os.getpid()}-{orders}")
    bus = build_bus(SERVICES, url, topology=topology, state_dir=state_dir, trace=LiveTrace(keep=False))
    await bus.start()
    try:
        began = await _produce_orders(url, topology, orders, "ours")
        await _until(lambda: bus.handled >= orders * HOPS, 600)
        return time.perf_counter() - began
    finally:
        await bus.stop()


async def bare_faust(url: str, orders: int) -> float:
    topology = Topology(prefix=f"bench-bare-{os.getpid()}-{orders}")
    await ensure_topics(url, topology)
    handled = 0
    workdir = tempfile.TemporaryDirectory(prefix="bench-bare-")
    apps = []
    loop = asyncio.get_running_loop()
    for service in SERVICES:
        app = KafkaApp(topology.group(service), broker=url, datadir=os.path.join(workdir.name, service), loop=loop,
                       **app_settings(topology))
        source = app.topic(*topology.topics_for(service, REACTIONS[service]), key_serializer="raw",
                           value_serializer="raw", partitions=topology.partitions)
        outs = {t: app.topic(t, key_serializer="raw", value_serializer="raw", partitions=topology.partitions)
                for t in topology.topics()}

        def agent_for(service: str, outs: dict):
            async def agent(stream):
                nonlocal handled
                async for event in stream.events():
                    nxt = NEXT.get((service, event.headers.get("type", b"").decode()))
                    if nxt is None:
                        continue
                    await outs[topology.topic_for(nxt)].send(key=event.key, value=event.value,
                                                             headers=[("type", nxt.encode())])
                    handled += 1
            return agent

        app.agent(source, name=f"{service}-bare")(agent_for(service, outs))
        apps.append(app)
    await asyncio.gather(*(app.start() for app in apps))
    for app in apps:
        app.flow_control.resume()
    try:
        began = await _produce_orders(url, topology, orders, "bare")
        await _until(lambda: handled >= orders * HOPS, 600)
        return time.perf_counter() - began
    finally:
        await asyncio.gather(*(asyncio.wait_for(app.stop(), 10) for app in apps), return_exceptions=True)
        workdir.cleanup()


async def raw_aiokafka(url: str, records: int) -> float:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    topology = Topology(prefix=f"bench-raw-{os.getpid()}-{records}")
    await ensure_topics(url, topology)
    topic = topology.topic_for("OrderPlaced")
    producer = AIOKafkaProducer(bootstrap_servers=broker_address(url), linger_ms=5)
    consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(url), group_id=None, auto_offset_reset="earliest")
    await producer.start()
    await consumer.start()
    value = encode(orders_for(1, batch="raw")[0])
    try:
        began = time.perf_counter()
        for i in range(records):
            await producer.send(topic, value, key=f"order-{i % 1000}".encode())
        await producer.flush()
        partitions = [TopicPartition(topic, p) for p in range(topology.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, deadline = 0, time.perf_counter() + 120
        while seen < records:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"raw aiokafka read {seen:,} of {records:,} records in 120 s")
            batches = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(b) for b in batches.values())
        return time.perf_counter() - began
    finally:
        await producer.stop()
        await consumer.stop()


async def main_async(url: str, orders: int, quick: bool = False) -> None:
    records = orders * (HOPS + 1)
    with tempfile.TemporaryDirectory(prefix="bench-state-") as state_dir:
        t_ours = await ours(url, orders, state_dir)
    t_bare = await bare_faust(url, orders)
    t_raw = await raw_aiokafka(url, records)
    print(f"{orders:,} orders, {records:,} records through {HOPS} hops on {broker_address(url)}")
    print(f"{'':<14}{'wall':>9}{'events/s':>11}")
    for name, took in (("ours", t_ours), ("bare faust", t_bare), ("raw aiokafka", t_raw)):
        print(f"{name:<14}{took:>8.2f}s{records / took:>11,.0f}")
    goal("ours / bare faust chain (wall)", t_ours / t_bare, 1.5, "x",
         note=f"quick run: {orders} orders, start-up weighs more" if quick else None)
    goal("ours, events per second", records / t_ours, 1000, " events/s", at_least=True,
         note=f"quick run: {orders} orders are too few for a steady rate" if quick else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--broker", help="kafka://host:port (default: start a tansu broker)")
    parser.add_argument("--quick", action="store_true", help="20 orders: checks the script runs")
    args = parser.parse_args()
    if args.quick:
        args.orders = 20
    if args.broker:
        asyncio.run(main_async(args.broker, args.orders, args.quick))
        return
    with TansuBroker() as broker:
        asyncio.run(main_async(broker.url, args.orders, args.quick))


if __name__ == "__main__":
    main()
