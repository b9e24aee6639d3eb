"""A Kafka broker of one's own inside a notebook: start it, serve services, place orders, look at offsets.

:class:`BrokerLab` starts the bundled tansu broker (memory storage, a free
loopback port), hosts services on :class:`~playground.kafka.bus.KafkaBus`
workers in the notebook's own event loop, and answers the questions a
chapter asks of the broker: which records are on the topics, which
partitions each worker holds, how many records a consumer group has read
and how many wait. Its methods are coroutines (``await lab.serve("orders")``
in a notebook cell); everything it started stops with ``await lab.close()``.

Real time, real processes of Kafka's: figures that depend on timing (which
worker got which partition, how long a rebalance took) vary from run to run,
so the lab's answers are counts, which do not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter
from typing import Any, Callable

from playground.errors import PlaygroundError
from playground.kafka.bus import KafkaBus
from playground.kafka.client import Seen, place_orders, read_all
from playground.kafka.room import group_progress
from playground.kafka.tansu import TansuBroker
from playground.kafka.topics import Topology
from playground.workers.kafka import REACTIONS, build_bus


class BrokerLab:
    """A tansu broker and the workers a notebook starts on it, in one namespace (``prefix``).

    >>> BrokerLab(prefix="demo", partitions=3).topology.topic_for("PlaceOrder")
    'demo.orders.commands'
    """

    def __init__(self, *, prefix: str = "lab", partitions: int = 4):
        self.topology = Topology(prefix=prefix, partitions=partitions)
        self.broker: TansuBroker | None = None
        self.buses: list[KafkaBus] = []

    @classmethod
    def open(cls, *, prefix: str = "lab", partitions: int = 4) -> "BrokerLab":
        """Start the broker (it needs the ``kafka`` extra: ``pip install -e ".[kafka]"``)."""
        lab = cls(prefix=prefix, partitions=partitions)
        # Rebalances and reconnects are the subject here; the clients' own warnings about them are noise.
        for name in ("aiokafka", "faust", "mode"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        lab.broker = TansuBroker().start()
        return lab

    @property
    def url(self) -> str:
        if self.broker is None:
            raise PlaygroundError("The lab has no broker yet; create it with BrokerLab.open().")
        return self.broker.url

    def namespace(self, *, prefix: str | None = None, partitions: int | None = None,
                  group: str | None = None) -> Topology:
        """This lab's topology, or one with another prefix, partition count or consumer-group namespace."""
        changes: dict[str, Any] = {"_cache": {}}
        if prefix is not None:
            changes["prefix"] = prefix
        if partitions is not None:
            changes["partitions"] = partitions
        if group is not None:
            changes["groups"] = f"{prefix or self.topology.prefix}.{group}"
        return dataclasses.replace(self.topology, **changes)

    async def serve(self, *services: str, start_at: str = "earliest", group: str | None = None,
                    prefix: str | None = None, partitions: int | None = None) -> KafkaBus:
        """Start one worker hosting ``services`` (choreographed) and return its bus once it has joined its groups.

        ``group`` gives its consumer groups a name of their own (a second
        reader of the same topics); ``start_at`` is where a group that never
        committed starts reading: ``"earliest"`` or ``"latest"``.
        """
        topology = self.namespace(prefix=prefix, partitions=partitions, group=group)
        bus = build_bus(list(services), self.url, topology=topology, state_dir=False, start_at=start_at)
        await bus.start()
        self.buses.append(bus)
        return bus

    async def serve_many(self, count: int, *services: str, **options: Any) -> list[KafkaBus]:
        """Start ``count`` workers hosting ``services`` at once (``options`` as for :meth:`serve`)."""
        return list(await asyncio.gather(*(self.serve(*services, **options) for _ in range(count))))

    async def stop_all(self, buses: list[KafkaBus]) -> None:
        """Stop several workers at once."""
        await asyncio.gather(*(self.stop(bus) for bus in buses))

    @staticmethod
    def sent(bus: KafkaBus, type_: str) -> set[str]:
        """Correlation ids (order ids) for which this worker sent a message of ``type_``."""
        return {e.correlation_id for e in bus.trace.entries if e.kind == "send" and e.type == type_}

    async def stop(self, bus: KafkaBus) -> None:
        """Stop one worker: it leaves its groups, and the others of its service take its partitions."""
        if bus in self.buses:
            self.buses.remove(bus)
        await bus.stop()

    async def place(self, count: int, *, batch: str, prefix: str | None = None) -> list[str]:
        """Place ``count`` orders (ids ``order-<batch>-0001``…) and return their ids once the broker has them."""
        return await place_orders(self.url, count, topology=self.namespace(prefix=prefix), batch=batch)

    async def records(self, type_: str | None = None, *, prefix: str | None = None) -> list[Seen]:
        """Every record now on the namespace's topics (of one message type, if given)."""
        seen = await read_all(self.url, topology=self.namespace(prefix=prefix))
        return [r for r in seen if type_ is None or (r.envelope is not None and r.envelope.type == type_)]

    async def count(self, type_: str) -> int:
        """How many records of ``type_`` the namespace's topics hold."""
        return len(await self.records(type_))

    async def wait_for(self, type_: str, count: int, timeout: float = 90.0) -> int:
        """Wait until the topics hold at least ``count`` records of ``type_``; return how many they hold."""
        return await self.until(lambda: self.count(type_), lambda n: n >= count, timeout,
                                f"{count} {type_} records")

    async def progress(self, service: str, *, group: str | None = None) -> tuple[int, int]:
        """(records read, records waiting) of ``service``'s consumer group over the topics it reads."""
        topology = self.namespace(group=group)
        topics = topology.topics_for(service, REACTIONS.get(service, {}))
        return await group_progress(self.url, topology.group(service), topics)

    async def lag(self, service: str, *, group: str | None = None) -> int:
        """Records waiting for ``service``'s consumer group (its committed offsets trail by up to ~3 s)."""
        return (await self.progress(service, group=group))[1]

    async def until(self, ask: Callable[[], Any], holds: Callable[[Any], bool], timeout: float = 90.0,
                    what: str = "the condition") -> Any:
        """Ask ``ask()`` (a coroutine function) every half second until ``holds(answer)``; return the answer."""
        deadline = time.monotonic() + timeout
        while True:
            answer = await ask()
            if holds(answer):
                return answer
            if time.monotonic() > deadline:
                raise PlaygroundError(f"Waited {timeout:g} s for {what}; the last answer was {answer!r}. "
                                      "Is every service of the flow served?")
            await asyncio.sleep(0.5)

    async def settled(self, buses: list[KafkaBus], service: str, partitions: int | None = None,
                      timeout: float = 60.0) -> list[list[int]]:
        """Wait until the workers in ``buses`` hold every partition of ``service`` between them, none twice.

        Returns each worker's partitions, in the order of ``buses``.
        """
        total = partitions or self.topology.partitions

        async def held() -> list[list[int]]:
            return [list(bus.assignments.get(service, [])) for bus in buses]

        def complete(parts: list[list[int]]) -> bool:
            flat = [p for held in parts for p in held]
            return sorted(flat) == list(range(total))

        return await self.until(held, complete, timeout, f"{service}'s {total} partitions to be shared out")

    @staticmethod
    def by_partition(records: list[Seen]) -> dict[str, Counter]:
        """For each topic, how many of ``records`` sit on each partition."""
        counts: dict[str, Counter] = {}
        for r in records:
            counts.setdefault(r.topic, Counter())[r.partition] += 1
        return counts

    async def close(self) -> None:
        """Stop every worker the lab started, then the broker."""
        for bus in list(self.buses):
            await self.stop(bus)
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
