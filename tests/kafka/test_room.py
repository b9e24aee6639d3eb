"""A workshop room on one broker: every participant's topics and groups are their own, and a shared flow shows who did what."""

import argparse
import asyncio
import threading
from collections import defaultdict

from playground.kafka.client import collect, place_orders
from playground.kafka.topics import Topology
from playground.workers.commands import prefix_of
from playground.workers.kafka import build_bus

PEOPLE = [f"p{i:02d}" for i in range(1, 21)]


def _room(prefix_tag):
    return {p: prefix_of(argparse.Namespace(prefix=None, participant=f"{p}-{prefix_tag}")) for p in PEOPLE}


def test_twenty_participants_on_one_broker_never_see_each_others_orders(broker):
    prefixes = _room(broker.port)
    assert len(set(prefixes.values())) == 20 and all(v.startswith("room.p") for v in prefixes.values())
    rooms = {p: Topology(prefix=prefixes[p]) for p in PEOPLE}
    working = PEOPLE[:2]  # two laptops run an orders worker; everybody places orders at the same moment

    async def main():
        buses = [build_bus(["orders"], broker.url, topology=rooms[p], state_dir=False, participant=p)
                 for p in working]
        await asyncio.gather(*(bus.start() for bus in buses))
        try:
            # Everybody places the same two order ids: only a shared namespace could mix them up.
            await asyncio.gather(*(place_orders(broker.url, 2, topology=rooms[p], batch="same") for p in PEOPLE))
            topics = [rooms[p].topic_for("PlaceOrder") for p in PEOPLE]
            topics += [rooms[p].topic_for("OrderPlaced") for p in PEOPLE]
            return await asyncio.to_thread(collect, broker.url, topology=Topology(), topics=topics, timeout=90,
                                           until=lambda seen: len(seen) >= 2 * 20 + 2 * len(working))
        finally:
            await asyncio.gather(*(bus.stop() for bus in buses))

    outcome: list = []

    def run():
        try:
            outcome.append(asyncio.run(main()))
        except BaseException as exc:  # shown by the assertion below
            outcome.append(exc)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(150)
    assert outcome, "the room did not start, run and stop within 150 s"
    assert not isinstance(outcome[0], BaseException), repr(outcome[0])
    seen = defaultdict(list)
    for record in outcome[0]:
        owner = record.topic.split(".")[1].split("-")[0]
        seen[owner, record.envelope.type].append((record.key, record.by.split("/")[0]))
    for p in PEOPLE:  # each namespace holds its own two orders, no one else's
        assert sorted(k for k, _ in seen[p, "PlaceOrder"]) == ["order-same-0001", "order-same-0002"]
        handled = sorted(seen[p, "OrderPlaced"])
        assert handled == ([("order-same-0001", p), ("order-same-0002", p)] if p in working else []), (p, handled)
