"""End offsets that are true on tansu too, a consumer group started at the end of its topics, and seeking back
to committed offsets after a rebalance when a partition has none."""

import asyncio
import time

import pytest

from playground.compat.faust import seek_to_committed_or_reset
from playground.errors import PlaygroundError
from playground.kafka.broker import broker_address, ensure_topics
from playground.kafka.bus import KafkaApp, KafkaBus, app_settings
from playground.kafka.client import place_orders, read_all, start_at_end, true_ends
from playground.kafka.room import group_progress


def test_true_ends_count_every_record_of_a_batch_and_read_all_reads_them(broker, topology):
    from aiokafka import AIOKafkaConsumer, TopicPartition

    async def main():
        await place_orders(broker.url, 12, topology=topology, batch="ends")  # one producer batch per partition
        tps = [TopicPartition(topology.topic_for("PlaceOrder"), p) for p in range(topology.partitions)]
        consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(broker.url), group_id=None,
                                    enable_auto_commit=False, fetch_max_wait_ms=100)
        await consumer.start()
        try:
            consumer.assign(tps)
            ends = await true_ends(consumer, tps)
        finally:
            await consumer.stop()
        return ends, await read_all(broker.url, topology=topology)

    ends, seen = asyncio.run(main())
    assert sum(ends.values()) == 12
    assert sorted(r.key for r in seen if r.envelope.type == "PlaceOrder") == [f"order-ends-{i:04d}" for i in range(1, 13)]


def test_a_group_started_at_the_end_has_read_everything_once_and_is_left_alone_afterwards(broker, topology):
    topics = [topology.topic_for("PlaceOrder")]
    group = topology.group("late-reader")

    async def main():
        await place_orders(broker.url, 7, topology=topology, batch="late")
        first = await start_at_end(broker.url, group, topics, topology.partitions)
        again = await start_at_end(broker.url, group, topics, topology.partitions)
        return first, again, await group_progress(broker.url, group, topics)

    first, again, (read, waiting) = asyncio.run(main())
    assert (first, again) == (True, False)
    assert (read, waiting) == (7, 0)


def test_a_bus_refuses_a_start_it_does_not_know():
    with pytest.raises(PlaygroundError, match="start_at is 'earliest' .* or 'latest' .*, not 'soon'"):
        KafkaBus("kafka://127.0.0.1:9092", start_at="soon")


def test_seeking_back_moves_a_partition_nobody_committed_in_to_its_start_where_aiokafka_leaves_it(broker, topology):
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata

    async def main():
        await place_orders(broker.url, 12, topology=topology, batch="seek")
        tps = [TopicPartition(topology.topic_for("PlaceOrder"), p) for p in range(topology.partitions)]
        consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(broker.url), group_id=topology.group("seek"),
                                    enable_auto_commit=False, fetch_max_wait_ms=100, auto_offset_reset="earliest")
        await consumer.start()
        try:
            consumer.assign(tps)
            ends = await true_ends(consumer, tps)
            for tp in tps:
                consumer.seek(tp, ends[tp])
            await consumer.commit({tps[0]: OffsetAndMetadata(0, "")})  # partition 0 committed at 0, the rest never

            async def positions(seek):
                for tp in tps:
                    consumer.seek(tp, ends[tp])  # as if every record was fetched (and dropped undelivered)
                await seek()
                return [await consumer.position(tp) for tp in tps]

            stock = await positions(consumer.seek_to_committed)
            earliest = await positions(lambda: seek_to_committed_or_reset(consumer, "earliest"))
            latest = await positions(lambda: seek_to_committed_or_reset(consumer, "latest"))
            reported = await consumer.end_offsets(tps)  # tansu's: the last batch's first offset + 1
            return [ends[tp] for tp in tps], stock, earliest, latest, [reported[tp] for tp in tps]
        finally:
            await consumer.stop()

    ends, stock, earliest, latest, reported = asyncio.run(main())
    assert all(ends), ends  # twelve orders over four partitions: something in each
    # aiokafka seeks only offsets above 0, so a rebalance's seek back left every one of these past its records.
    assert stock == ends, "aiokafka's seek_to_committed now seeks uncommitted partitions: the fence may go"
    assert earliest == [0, 0, 0, 0]
    # The committed 0 holds; the others start where the broker says the end is, as a new group's would.
    assert latest == [0] + reported[1:]


def test_a_kafka_app_reads_records_again_after_a_rebalance_seek_when_its_group_never_committed(broker, topology, tmp_path):
    # faust drops what it fetched and did not deliver when a rebalance stops the flow, then seeks back to the
    # committed offsets to read it again. With no offset ever committed (a worker killed before its first
    # commit), the records were never read again: a surviving orchestrator lost every saga started there.
    async def main():
        await ensure_topics(broker.url, topology)
        await place_orders(broker.url, 8, topology=topology, batch="again")
        app = KafkaApp(topology.group("again"), broker=broker.url, datadir=str(tmp_path / "app"),
                       loop=asyncio.get_running_loop(), **app_settings(topology))
        source = app.topic(topology.topic_for("PlaceOrder"), key_serializer="raw", value_serializer="raw",
                           partitions=topology.partitions)
        taken: list[tuple[int, int]] = []
        events = []

        async def agent(stream):
            async for event in stream.noack().events():  # acknowledged only at the end: nothing is committed
                taken.append((event.message.partition, event.message.offset))
                events.append(event)

        app.agent(source, name="again-agent")(agent)
        await app.start()
        try:
            if not app.flow_control.is_active():
                app.flow_control.resume()
            await _until(lambda: len(taken) >= 8, 30)
            first = sorted(taken)
            # What faust does after a rebalance: flow stopped, agents' queues cleared, seek back, flow resumed.
            app.consumer.stop_flow()
            app.flow_control.suspend()
            await app.consumer.perform_seek()
            app.flow_control.resume()
            app.consumer.resume_flow()
            await _until(lambda: len(taken) >= 16, 15)
            return first, sorted(taken[len(first):])
        finally:
            for event in events:  # faust's stop waits for every delivered record to be acknowledged
                event.ack()
            await asyncio.wait_for(app.stop(), 10)

    first, again = asyncio.run(main())
    assert len(first) == 8 and again == first


async def _until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
