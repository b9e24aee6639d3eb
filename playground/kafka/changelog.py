"""State that moves with its partition: each service's changes also go to a compacted changelog topic.

A worker keeps its service's state in a SQLite file on its own machine
(:mod:`playground.kafka.state`). When a rebalance hands a partition to a
worker on *another* machine, that worker's file knows nothing of what the
old owner did there, and a message handled before but not yet committed
would run a second time. So every batch a worker commits goes first to the
service's changelog topic, ``<prefix>.<service>.changelog``, into the
partition the handled records came from; then to the local file.

One changelog record per business key carries everything about that key:
the service's state entries for it, and every message handled about it with
what it published and the effects it noted. Keyed by the business key, a
compacted topic (``cleanup.policy=compact``) keeps the latest record of each
key, which is all a newcomer needs; a message with no business key gets a
record of its own. When a worker is assigned a partition, it reads that
changelog partition from where its file last stopped (the beginning, on a new
machine) to the end and applies it before it handles any record of the
partition: faust's tables restore from their changelog topics the same way.

The bundled tansu broker accepts ``cleanup.policy=compact`` and reports it
back, but its memory storage never compacts: every record stays, and a
restore reads them all, in order, the last one of each key winning. (Apache
Kafka compacts only closed log segments, so a reader sees repeats there too.)

What moves is bounded by the record key: state follows the partition of the
records that changed it (their correlation id). Two messages about one order
under different correlation ids may land on partitions held by different
machines, and then nothing here makes them meet.

>>> docs = documents({"o-1": 2}, [("m1#ab", '[]', [("charge", "o-1")], "o-1", 2)],
...                  state={"o-1": {"charges": '{"amount": 5.0}'}}, earlier={}, worker="payments.x1")
>>> [(partition, key, json.loads(value)) for partition, key, value in docs]
[(2, b'o-1', {'key': 'o-1', 'state': {'charges': {'amount': 5.0}}, 'handled': [['m1#ab', [], [['charge', 'o-1', 'payments.x1']]]]})]
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable

from playground.kafka.broker import broker_address, create_topics
from playground.kafka.client import read_range, true_ends
from playground.kafka.state import StateStore, done_json

#: The topic settings of a changelog: keep the latest record of every key.
COMPACTED = {"cleanup.policy": "compact"}

#: A handled message in a batch: (message id, outputs as JSON, effects [(effect, key)], business key, partition).
Handled = tuple

#: A changelog record: (partition, key bytes, value bytes).
Change = tuple


def documents(keys: dict[str, int], handled: list[Handled], *, state: dict[str, dict[str, Any]],
              earlier: dict[str, list[tuple[str, str, str]]], worker: str,
              limit: int | None = None, too_big: Callable[[str, int], None] | None = None) -> list[Change]:
    """The changelog records of one batch: one per business key it changed, one per keyless message.

    ``keys`` maps each changed key to its partition, ``state`` holds each
    key's entries by attribute as JSON text (a store's
    :meth:`~playground.kafka.state.StateStore.snapshot`), ``earlier`` the messages
    handled about each key before this batch, as the store returns them.
    A record over ``limit`` bytes leaves its state out (the key's state then
    stays on this machine) and ``too_big(key, size)`` is told.
    """
    about: dict[str | None, list[str]] = {}
    for message_id, outputs, effects, key, _ in handled:
        about.setdefault(key, []).append(_entry(message_id, outputs, done_json(effects, worker)))
    changes: list[Change] = []
    for key, partition in keys.items():
        entries = [_entry(*row) for row in earlier.get(key, [])] + about.get(key, [])
        text = ",".join(f"{json.dumps(attr)}:{value}" for attr, value in state.get(key, {}).items())
        value = _document(key, "{" + text + "}", entries)
        if limit is not None and len(value) > limit:
            if too_big is not None:
                too_big(key, len(value))
            value = _document(key, "null", entries)
        changes.append((partition, key.encode(), value))
    for message_id, outputs, effects, key, partition in handled:
        if key is None:  # nothing to group it with: a record of its own, kept by its message id
            value = _document(None, "null", [_entry(message_id, outputs, done_json(effects, worker))])
            changes.append((partition, f"~{message_id}".encode(), value))
    return changes


def _entry(message_id: str, outputs: str, done: str) -> str:
    return f"[{json.dumps(message_id)},{outputs},{done}]"


def _document(key: str | None, state: str, entries: list[str]) -> bytes:
    return f'{{"key":{json.dumps(key)},"state":{state},"handled":[{",".join(entries)}]}}'.encode()


async def create_changelogs(url: str, topics: list[str], partitions: int) -> list[str]:
    """Create the changelog topics that are missing, compacted, with the service topics' partition count."""
    return await create_topics(url, topics, partitions, configs=COMPACTED)


async def restore(url: str, topic: str, store: StateStore, inbox: str, partitions: list[int]) -> tuple[int, int]:
    """Apply ``partitions`` of changelog ``topic`` to ``store``, each from where the file stopped to the end.

    Returns (records read, business keys touched). The end is read with
    :func:`~playground.kafka.client.true_ends`, since tansu reports a
    partition's end as its last batch's first offset plus one.
    """
    from aiokafka import AIOKafkaConsumer, TopicPartition

    if not partitions:
        return 0, 0
    consumer = AIOKafkaConsumer(bootstrap_servers=broker_address(url), group_id=None, enable_auto_commit=False,
                                fetch_max_wait_ms=100)
    await consumer.start()
    read = touched = 0
    try:
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        starts, ends = await consumer.beginning_offsets(tps), await true_ends(consumer, tps)
        for tp in tps:
            since = store.restored_to(inbox, tp.partition)
            if since > ends[tp]:  # the topic is shorter than the file remembers (made anew): read all of it
                since = 0
            since = max(since, starts[tp])
            records = await read_range(consumer, tp, since, ends[tp])
            docs = [json.loads(r.value) if r.value is not None else None for r in records]
            keys = [r.key.decode() if r.key is not None else None for r in records]
            touched += store.apply_changelog(inbox, tp.partition, docs, keys, ends[tp])
            read += len(records)
    finally:
        await asyncio.wait_for(consumer.stop(), 5)
    return read, touched
