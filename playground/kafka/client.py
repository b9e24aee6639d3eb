"""Placing orders on the broker and watching events flow, with plain aiokafka clients.

Neither needs a consumer group or a faust app, so both start in well under a
second: :func:`place_orders` produces ``PlaceOrder`` envelopes in the wire
format (key = order id = correlation id), and :func:`watch` reads every
topic of a namespace from the start, or from now on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import secrets
from typing import Any, AsyncIterator, Callable, NamedTuple

from playground.kafka.broker import BrokerError, broker_address, check_broker, ensure_topics
from playground.kafka.topics import MalformedRecord, Topology, decode, encode, headers, key
from playground.runtime.envelope import DEAD_LETTERS, Envelope, MessageIds
from playground.runtime.randomness import Randomness


class Seen(NamedTuple):
    """One record as a watcher saw it: where it was, its key and headers, and its envelope or DLQ body."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    envelope: Envelope | None
    body: dict | None

    @property
    def by(self) -> str:
        """Who sent it: the worker's label from the message id (``alice/payments.ab12cd``), or the sender."""
        e = self.envelope
        if e is None:
            return "-"
        label = e.message_id.rsplit("-", 1)[0]
        return label if label != e.message_id else e.sender

    def line(self) -> str:
        """One line for a terminal: topic, key, type and the payload (or the dead-letter reason)."""
        if self.envelope is not None:
            e = self.envelope
            return f"{self.topic:<30} {self.key or '-':<24} {e.type:<18} {json.dumps(e.payload)}  by {self.by}"
        reason = (self.body or {}).get("reason", "?")
        label = "DEAD LETTER" if self.topic.endswith("." + DEAD_LETTERS) else "MALFORMED"
        return f"{self.topic:<30} {self.key or '-':<24} {label:<18} {reason}"


def orders_for(count: int, *, batch: str, seed: int = 0, malformed: int = 0) -> list[Envelope]:
    """``count`` PlaceOrder envelopes with ids ``order-<batch>-0001``…, amounts drawn from ``seed``.

    >>> [e.correlation_id for e in orders_for(2, batch="demo")]
    ['order-demo-0001', 'order-demo-0002']
    """
    rng = Randomness(seed).stream("workload")
    ids = MessageIds(prefix=f"customers.{batch}-")
    broken = set(rng.sample(range(count), malformed)) if malformed else set()
    envelopes = []
    for i in range(count):
        order_id = f"order-{batch}-{i + 1:04d}"
        amount = round(rng.uniform(5, 200), 2)
        payload = {"order_id": order_id, "customer": f"customer-{rng.randrange(1, 51):02d}",
                   "amount": f"{amount} EUR" if i in broken else amount}
        envelopes.append(Envelope("PlaceOrder", payload, ids.next(), order_id, None, 1, 0.0, "customers"))
    return envelopes


async def place_orders(broker: str, count: int, *, topology: Topology | None = None, batch: str | None = None,
                       seed: int = 0, rate: float | None = None, malformed: int = 0) -> list[str]:
    """Publish ``count`` orders (``rate`` per second, or all at once) and return their ids once delivered."""
    batch = batch or secrets.token_hex(3)
    envelopes = orders_for(count, batch=batch, seed=seed, malformed=malformed)
    await publish(broker, envelopes, topology=topology, rate=rate)
    return [e.correlation_id for e in envelopes]


def trips_for(count: int, *, batch: str, seed: int = 0) -> list[Envelope]:
    """``count`` BookTrip envelopes with ids ``trip-<batch>-0001``…, travellers drawn from ``seed``.

    >>> [e.payload["trip_id"] for e in trips_for(2, batch="demo")]
    ['trip-demo-0001', 'trip-demo-0002']
    """
    rng = Randomness(seed).stream("workload")
    ids = MessageIds(prefix=f"travellers.{batch}-")
    envelopes = []
    for i in range(count):
        trip_id = f"trip-{batch}-{i + 1:04d}"
        payload = {"trip_id": trip_id, "traveller": f"traveller-{rng.randrange(1, 201):03d}"}
        envelopes.append(Envelope("BookTrip", payload, ids.next(), trip_id, None, 1, 0.0, "travellers"))
    return envelopes


async def book_trips(broker: str, count: int, *, topology: Topology | None = None, batch: str | None = None,
                     seed: int = 0, rate: float | None = None) -> list[str]:
    """Ask the orchestrator to book ``count`` trips; returns their ids once delivered."""
    envelopes = trips_for(count, batch=batch or secrets.token_hex(3), seed=seed)
    await publish(broker, envelopes, topology=topology, rate=rate)
    return [e.correlation_id for e in envelopes]


async def publish(broker: str, envelopes: list[Envelope], *, topology: Topology | None = None,
                  rate: float | None = None) -> None:
    """Produce ``envelopes`` on their topics (``rate`` per second, or all at once) and wait for every ack.

    Raises :class:`BrokerError` naming how many records the broker did not take
    and why, so a command line never says "placed" for orders that went nowhere.
    """
    from aiokafka import AIOKafkaProducer

    topology = topology if topology is not None else Topology()
    await check_broker(broker)
    await ensure_topics(broker, topology)
    producer = AIOKafkaProducer(bootstrap_servers=broker_address(broker), linger_ms=5)
    await producer.start()
    try:
        loop = asyncio.get_running_loop()
        start = loop.time()
        pending = []
        for i, e in enumerate(envelopes):
            if rate:
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            e.time = loop.time() - start
            pending.append(await producer.send(topology.topic_for(e.type), encode(e), key=key(e), headers=headers(e)))
        results = await asyncio.gather(*pending, return_exceptions=True)
    finally:
        await producer.stop()
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        raise BrokerError(f"The broker at {broker_address(broker)} did not take {len(failed)} of {len(envelopes)} "
                          f"records ({type(failed[0]).__name__}: {failed[0]}); nothing says they arrived, "
                          "so send them again once the broker is back.")


async def watch(broker: str, *, topology: Topology | None = None, from_beginning: bool = True,
                topics: list[str] | None = None) -> AsyncIterator[Seen]:
    """Every record on the namespace's topics (events, commands, dead letters) as it arrives."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topology = topology if topology is not None else Topology()
    await check_broker(broker)
    await ensure_topics(broker, topology)
    names = topics or topology.topics()
    consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(broker), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in names for p in range(topology.partitions)]
        consumer.assign(partitions)
        if from_beginning:  # explicit, rather than trusting the reset policy of a fresh assignment
            await consumer.seek_to_beginning(*partitions)
        async for record in consumer:
            yield _seen(record, topology)
    finally:
        await consumer.stop()


async def true_ends(consumer: Any, partitions: list) -> dict:
    """The offset after each partition's last record, from a fetch's high watermark (``partitions`` assigned).

    The bundled tansu broker answers a ListOffsets request for the end with
    the last record *batch*'s base offset plus one, short of the truth when a
    producer sent several records in one batch; the high watermark a fetch
    reports is right there, and on Kafka, so the end is read from a fetch of
    the last batch.
    """
    reported = await consumer.end_offsets(partitions)
    starts = await consumer.beginning_offsets(partitions)
    ends, pending = {}, set()
    for tp in partitions:
        if reported[tp] <= starts[tp]:
            ends[tp] = reported[tp]  # empty: tansu reports a non-empty partition as at least one past its start
        else:
            consumer.seek(tp, reported[tp] - 1)
            pending.add(tp)
    for _ in range(20):
        if not pending:
            break
        await consumer.getmany(*pending, timeout_ms=500)
        for tp in list(pending):
            mark = consumer.highwater(tp)
            if mark is not None:
                ends[tp] = max(mark, reported[tp])
                pending.discard(tp)
    for tp in pending:  # no answer within ten seconds: the reported end is the best there is
        ends[tp] = reported[tp]
    return ends


async def read_range(consumer: Any, tp: Any, start: int, end: int, timeout: float = 30.0) -> list:
    """The records of partition ``tp`` (assigned to ``consumer``) from offset ``start`` up to, not including, ``end``.

    Raises :class:`BrokerError` if the broker stops handing out records
    before ``end`` for ``timeout`` seconds (``end`` should come from :func:`true_ends`).
    """
    records: list = []
    if end <= start:
        return records
    consumer.seek(tp, start)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await consumer.position(tp) < end:
        got = (await consumer.getmany(tp, timeout_ms=1000)).get(tp, [])
        records.extend(r for r in got if start <= r.offset < end)
        if got:
            deadline = loop.time() + timeout
        elif loop.time() > deadline:
            raise BrokerError(f"The broker handed out no records of {tp.topic} partition {tp.partition} past offset "
                              f"{await consumer.position(tp)} for {timeout:g} s, short of its end at {end}; "
                              "it is overloaded or lost them, so try again in a moment.")
    return records


async def start_at_end(broker: str, group: str, topics: list[str], partitions: int) -> bool:
    """Commit ``group``'s offsets at the end of ``topics`` unless it has committed before; True if it did now.

    What ``kafka-consumer-groups --reset-offsets --to-latest`` does, for a
    group that has not started yet: it will read only what is sent from now
    on. (``auto_offset_reset="latest"`` alone is not exact on the bundled tansu
    broker, whose end offsets can fall inside the last batch; see :func:`true_ends`.)
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    tps = [TopicPartition(t, p) for t in topics for p in range(partitions)]
    address = broker_address(broker)
    admin = AIOKafkaAdminClient(bootstrap_servers=address)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group, partitions=tps)
    finally:
        await admin.close()
    if any(c.offset >= 0 for c in committed.values()):
        return False
    consumer = AIOKafkaConsumer(bootstrap_servers=address, group_id=group, enable_auto_commit=False,
                                fetch_max_wait_ms=100)
    await consumer.start()
    try:
        consumer.assign(tps)
        ends = await true_ends(consumer, tps)
        await consumer.commit({tp: ends[tp] for tp in tps})
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    return True


async def read_all(broker: str, *, topology: Topology | None = None, topics: list[str] | None = None) -> list[Seen]:
    """Every record on the namespace's topics (or ``topics``) from the start up to now, topic by topic."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topology = topology if topology is not None else Topology()
    names = topics or topology.topics()
    consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(broker), group_id=None, enable_auto_commit=False,
                                fetch_max_wait_ms=100)
    await consumer.start()
    seen: list[Seen] = []
    try:
        partitions = [TopicPartition(t, p) for t in names for p in range(topology.partitions)]
        consumer.assign(partitions)
        starts, ends = await consumer.beginning_offsets(partitions), await true_ends(consumer, partitions)
        for tp in partitions:
            seen.extend(_seen(record, topology) for record in await read_range(consumer, tp, starts[tp], ends[tp]))
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    return seen


def _seen(record, topology: Topology) -> Seen:
    hdrs = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
    record_key = record.key.decode("utf-8", "replace") if record.key is not None else None
    if record.topic == topology.dead_letters:
        try:
            body = json.loads(record.value)
        except (ValueError, TypeError):
            body = {"reason": "unreadable dead letter"}
        return Seen(record.topic, record.partition, record.offset, record_key, hdrs, None, body)
    try:
        envelope = decode(record.value, catalog=topology.catalog)
    except MalformedRecord as exc:
        return Seen(record.topic, record.partition, record.offset, record_key, hdrs, None,
                    {"reason": f"not an envelope: {exc}"})
    return Seen(record.topic, record.partition, record.offset, record_key, hdrs, envelope, None)


def collect(broker: str, *, topology: Topology | None = None, until: Callable[[list[Seen]], bool],
            timeout: float, topics: list[str] | None = None) -> list[Seen]:
    """Watch from the start until ``until(seen)`` holds or ``timeout`` seconds pass; return what was seen.

    Blocking; inside a running event loop (a notebook) it watches from a worker thread.
    """

    async def main() -> list[Seen]:
        seen: list[Seen] = []

        async def read() -> None:
            # aclosing: a cancelled read must still stop the consumer, not leave it to the GC.
            async with contextlib.aclosing(watch(broker, topology=topology, topics=topics)) as records:
                async for record in records:
                    seen.append(record)
                    if until(seen):
                        return

        try:
            await asyncio.wait_for(read(), timeout)
        except asyncio.TimeoutError:
            pass
        return seen

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def completed(seen: list[Seen], type_: str = "OrderCompleted") -> set[str]:
    """Keys (order ids) of the records of type ``type_`` among ``seen``: ``SagaCompleted`` for sagas."""
    return {r.key for r in seen if r.envelope is not None and r.envelope.type == type_}
