"""End offsets that are true on tansu too, and a consumer group started at the end of its topics."""

import asyncio

import pytest

from playground.errors import PlaygroundError
from playground.kafka.broker import broker_address
from playground.kafka.bus import KafkaBus
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
