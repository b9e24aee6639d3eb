"""Restoring a partition's state from its changelog topic on tansu: from where the file stopped, to the true end."""

import asyncio

from playground.kafka.broker import broker_address
from playground.kafka.changelog import create_changelogs, documents, restore
from playground.kafka.state import StateStore
from playground.services import Payments


async def _write(url, topic, changes):
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=broker_address(url), linger_ms=50)  # one batch: tansu's short end
    await producer.start()
    try:
        sent = [await producer.send(topic, value, key=key, partition=partition) for partition, key, value in changes]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


def _charged(store, *orders):
    """Changelog records of a worker that charged ``orders`` (one batch), and the worker's store."""
    payments = Payments()
    for order in orders:
        payments.handle("ChargePayment", {"order_id": order, "amount": 3.0})
    keys = {order: 1 for order in orders}
    rows = [(f"m-{order}#h", "[]", [("charge", order)], order, 1) for order in orders]
    return documents(keys, rows, state=store.snapshot(payments, keys), earlier={}, worker="elsewhere")


def test_a_partition_is_restored_from_where_the_file_stopped_and_all_of_it_when_the_topic_is_new(broker, topology,
                                                                                                    tmp_path):
    topic = topology.changelog("payments")
    store = StateStore(str(tmp_path / "payments.sqlite"))

    async def main():
        await create_changelogs(broker.url, [topic], topology.partitions)
        await _write(broker.url, topic, _charged(store, "o-1", "o-2", "o-3"))
        first = await restore(broker.url, topic, store, "payments", [1])
        await _write(broker.url, topic, _charged(store, "o-4"))
        second = await restore(broker.url, topic, store, "payments", [0, 1])
        store.apply_changelog("payments", 1, [], [], 99)  # as if the file had read a longer topic, since deleted
        third = await restore(broker.url, topic, store, "payments", [1])
        return first, second, third

    first, second, third = asyncio.run(main())
    assert first == (3, 3)  # all three records of one batch: the end is the true end, not tansu's
    assert second == (1, 1)  # only what was written since; partition 0 has nothing
    assert third == (4, 4) and store.restored_to("payments", 1) == 4  # read anew from the start
    assert [key for _, key, _ in store.effects()] == ["o-1", "o-2", "o-3", "o-4"]  # each once
    fresh = Payments()
    store.load(fresh, "o-4")
    assert fresh.charges["o-4"]["amount"] == 3.0
    store.close()
