"""The bus on Kafka: the same interface as the in-memory bus, carried by faust topics.

:class:`KafkaBus` is what a :class:`~playground.wiring.host.ServiceHost`
talks to in Kafka mode. It offers the in-memory bus's methods (``publish``,
``message``, ``deliver``, ``dead_letter``, ``redeliver``, ``now``, ``trace``,
``catalog``, ``faults``), so services, hosts and the reaction tables run
unchanged. What differs underneath:

* each inbox is a faust app of its own, whose id is the service's consumer
  group: every worker process serving that service shares the topic
  partitions (a Kafka consumer group), whatever else the process serves;
* a message goes to the topic the catalog gives its type, keyed by its
  correlation id, with its routing fields as headers; consumers skip the
  types they do not react to by header, before decoding anything;
* a record that is not an envelope is dead-lettered to the DLQ topic with the
  reason, and the stream goes on;
* with a :class:`~playground.kafka.state.StateStore` per service, handling is
  effectively once: state, handled message id, published records and effects
  are committed together before the records are sent (a transactional
  outbox), and faust flushes the producer before it commits offsets.

Time is real here (``now()`` is Unix time), not the virtual loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import secrets
import sys
import tempfile
import time
from typing import Any, Callable, Mapping

import faust
from faust.app.base import BootStrategy

from playground.catalog import CATALOG, Catalog
from playground.errors import PlaygroundError
from playground.kafka.broker import broker_address, broker_url, check_broker, ensure_topics, BrokerError
from playground.kafka.live_trace import LiveTrace, collecting_effects
from playground.kafka.state import StateStore
from playground.kafka.topics import MalformedRecord, Topology, decode, encode, headers, key
from playground.runtime.bus import Bus, DeadLetter
from playground.runtime.envelope import Envelope, MessageIds
from playground.runtime.faults import FaultPlan

#: Records a handler publishes, collected per handled message (each agent runs in its own task).
_OUTBOX: contextvars.ContextVar[list | None] = contextvars.ContextVar("playground_outbox", default=None)

#: Tansu delays a group's first join by half the session timeout; 6 s keeps start-up near 4 s.
SESSION_TIMEOUT = 6.0
HEARTBEAT_INTERVAL = 1.0
PRODUCER_LINGER = float(os.environ.get("PLAYGROUND_LINGER", "0.005"))


class _KafkaBoot(BootStrategy):
    enable_web = False
    enable_sensors = False


class KafkaApp(faust.App):
    """A faust app that talks to Kafka but runs no web server and no sensors."""

    BootStrategy = _KafkaBoot


def app_settings(topology: Topology) -> dict[str, Any]:
    """faust settings every Kafka-mode app uses (the benchmark's bare chain uses them too)."""
    return dict(broker_session_timeout=SESSION_TIMEOUT, broker_heartbeat_interval=HEARTBEAT_INTERVAL,
                # no leader topic: nothing here needs one, and tansu would auto-create it with 4 partitions
                topic_disable_leader=True, topic_partitions=topology.partitions, topic_replication_factor=1,
                # a service that joins late still sees what was published before it started
                consumer_auto_offset_reset="earliest", web_enabled=False,
                # a few milliseconds of batching turns one produce request per message into one per batch
                producer_linger=PRODUCER_LINGER)


def default_state_dir(broker: str, topology: Topology) -> str:
    """Where a service's state file lives unless told otherwise: shared by its workers on this machine."""
    address = broker_address(broker).replace(":", "-").strip("[]")
    return os.path.join(tempfile.gettempdir(), "playground-kafka", address, topology.prefix)


Record = tuple  # (topic, key bytes or None, value bytes, [(header, bytes)])


def _record(topic: str, envelope_key: bytes | None, value: bytes, hdrs: list[tuple[str, bytes]]) -> Record:
    return (topic, envelope_key, value, hdrs)


def _as_json(records: list[Record]) -> list[dict]:
    """Records as JSON-able dicts for the state store (values are UTF-8 JSON, headers text)."""
    return [{"topic": t, "key": k.decode() if k is not None else None, "value": v.decode("utf-8", "replace"),
             "headers": [[h, b.decode("utf-8", "replace")] for h, b in hs]} for t, k, v, hs in records]


def _from_json(stored: list[dict]) -> list[Record]:
    return [(r["topic"], r["key"].encode() if r["key"] is not None else None, r["value"].encode(),
             [(h, b.encode()) for h, b in r["headers"]]) for r in stored]


class KafkaBus(Bus):
    """Carries envelopes over Kafka topics; one faust app (consumer group) per inbox.

    Args:
        broker: ``kafka://host:port``; None reads ``$PLAYGROUND_BROKER``.
        trace: where to record; a fresh :class:`LiveTrace` by default.
        topology: topic names, partitions and groups (derived from ``catalog``).
        state_dir: folder for each service's state file; None picks a
            per-broker folder in the temporary directory; False keeps state
            in memory only (then a killed worker's successor starts blank).
        name: names this process in message ids, which stay unique across
            processes because a random token follows it.
    """

    def __init__(self, broker: str | None = None, trace: LiveTrace | None = None, *, catalog: Catalog = CATALOG,
                 faults: FaultPlan | None = None, topology: Topology | None = None,
                 state_dir: "str | None | bool" = None, name: str = "playground"):
        url = broker_url(broker)
        if url is None:
            raise BrokerError("Kafka mode needs a broker: pass kafka://host:port or set PLAYGROUND_BROKER.")
        if trace is not None and not isinstance(trace, LiveTrace):
            raise PlaygroundError("KafkaBus records into a LiveTrace (playground.kafka.live_trace); pass one or none.")
        super().__init__(trace if trace is not None else LiveTrace(), catalog=catalog, faults=faults, name=name)
        self.url = url
        self.topology = topology if topology is not None else Topology(catalog)
        #: this process's label, in its message ids and in the effects it commits.
        self.process = f"{name}.{secrets.token_hex(3)}"
        self.ids = MessageIds(prefix=f"{self.process}-")
        self.state_dir = default_state_dir(url, self.topology) if state_dir is None else state_dir
        self._apps: dict[str, KafkaApp] = {}
        self._topics: dict[tuple[str, str], Any] = {}
        self._stores: dict[str, StateStore] = {}
        self._workdir: tempfile.TemporaryDirectory | None = None
        self.stopped = asyncio.Event()
        self.handled = 0
        #: inbox → partition numbers this process holds now (every topic of the inbox alike).
        self.assignments: dict[str, list[int]] = {}
        #: called with (inbox, partitions) after every rebalance, e.g. to print it.
        self.on_assigned: Callable[[str, list[int]], None] | None = None

    # -- lifecycle ------------------------------------------------------
    async def start(self, *, check_timeout: float = 3.0) -> None:
        """Check the broker, create the topics, and join every inbox's consumer group."""
        loop = self._loop = asyncio.get_running_loop()
        self._virtual = False
        self.faults.begin(None)  # fresh counters; window faults are simulated-time only
        await check_broker(self.url, check_timeout)
        await ensure_topics(self.url, self.topology)
        self._workdir = tempfile.TemporaryDirectory(prefix="playground-kafka-")
        if self.state_dir:
            os.makedirs(self.state_dir, exist_ok=True)
        for inbox, handler in self._handlers.items():
            service = getattr(handler, "service", None)
            if self.state_dir and service is not None:
                self._stores[inbox] = StateStore(os.path.join(self.state_dir, f"{inbox}.sqlite"))
            self._apps[inbox] = self._app_for(inbox, handler, loop)
        if not self._apps:  # a bus that only publishes still needs a producer
            self._apps[""] = self._make_app(f"{self.topology.prefix}.{self.name}-producer", loop)
        await asyncio.gather(*(app.start() for app in self._apps.values()))
        for app in self._apps.values():
            app.flow_control.resume()

    def _make_app(self, group: str, loop: asyncio.AbstractEventLoop) -> KafkaApp:
        datadir = os.path.join(self._workdir.name, group)
        return KafkaApp(group, broker=self.url, datadir=datadir, loop=loop, **app_settings(self.topology))

    def _app_for(self, inbox: str, handler: Any, loop: asyncio.AbstractEventLoop) -> KafkaApp:
        app = self._make_app(self.topology.group(inbox), loop)
        reacts = self._subscribers_of(inbox)
        names = self.reads(inbox)
        source = app.topic(*names, key_serializer="raw", value_serializer="raw",
                           partitions=self.topology.partitions)
        wanted = self.topology.wants(inbox, reacts)
        app.agent(source, name=f"{inbox}-agent")(self._agent(inbox, handler, wanted))

        async def assigned(sender: Any, assigned: Any, **kwargs: Any) -> None:
            partitions = sorted({tp.partition for tp in assigned})
            self.assignments[inbox] = partitions
            if self.on_assigned is not None:
                self.on_assigned(inbox, partitions)

        app.on_partitions_assigned.connect(assigned)
        return app

    def _subscribers_of(self, inbox: str) -> list[str]:
        return [type_ for type_, inboxes in self._subscribers.items() if inbox in inboxes]

    def reads(self, inbox: str) -> list[str]:
        """The topics ``inbox`` consumes: its service's commands and the events it subscribed to."""
        return self.topology.topics_for(inbox, self._subscribers_of(inbox))

    async def stop(self, timeout: float = 10.0) -> None:
        """Leave the groups and stop the apps (each within ``timeout`` s), then close the state files."""
        apps, self._apps = list(self._apps.values()), {}
        results = await asyncio.gather(*(asyncio.wait_for(app.stop(), timeout) for app in apps),
                                       return_exceptions=True)
        for store in self._stores.values():
            store.close()
        self._stores = {}
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
        self.stopped.set()
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise PlaygroundError(f"A faust app did not stop cleanly ({type(failed[0]).__name__}); "
                                  "the process may need to be ended.")

    async def drained(self) -> None:
        """Kafka has no global idle point; this only re-raises a handler's failure."""
        if self.failure is not None:
            raise self.failure

    # -- receiving ------------------------------------------------------
    def _agent(self, inbox: str, handler: Any, wanted: frozenset[str]):
        async def consume(stream: Any) -> None:
            async for event in stream.events():
                try:
                    await self._receive(inbox, handler, wanted, event)
                except Exception as exc:  # a bug, not a bad record: stop this process loudly
                    self.failure = exc
                    print(f"playground: the {inbox} consumer failed: {exc!r}", file=sys.stderr, flush=True)
                    self.stopped.set()
                    raise

        return consume

    async def _receive(self, inbox: str, handler: Any, wanted: frozenset[str], event: Any) -> None:
        type_header = event.headers.get("type")
        if type_header is not None:
            type_ = type_header.decode(errors="replace")
            if type_ not in wanted and type_ in self.catalog:
                return  # another consumer's message on a shared topic
        try:
            envelope = decode(event.value, catalog=self.catalog, now=self.now())
        except MalformedRecord as exc:
            self._park_raw(event, str(exc), at=inbox)
            return
        if envelope.type not in wanted and envelope.type in self.catalog:
            return
        store = self._stores.get(inbox)
        if store is not None:
            before = store.recall(inbox, envelope.message_id, handler.service, envelope.correlation_id)
            if before is not None:
                self.trace.record(self.now(), "redeliver", inbox, envelope.type, envelope.message_id,
                                  envelope.correlation_id, envelope.causation_id, {"handled_before": True})
                await self._send_all(inbox, _from_json(before))
                return
        outbox: list[Record] = []
        token = _OUTBOX.set(outbox)
        try:
            with collecting_effects(self.trace) as effects:
                await handler(envelope)
        finally:
            _OUTBOX.reset(token)
        if store is not None:
            mine = [(d["effect"], d["key"]) for mid, d in effects if mid == envelope.message_id]
            store.commit(inbox, envelope.message_id, handler.service, envelope.correlation_id,
                         outputs=_as_json(outbox), effects=mine, worker=self.process)
        self.handled += 1
        await self._send_all(inbox, outbox)

    def _park_raw(self, event: Any, reason: str, *, at: str) -> None:
        msg = event.message
        where = f"{msg.topic}[{msg.partition}]@{msg.offset}"
        raw = event.value if isinstance(event.value, (bytes, type(None))) else str(event.value).encode()
        self.trace.record(self.now(), "dead_letter", at, None, None,
                          event.key.decode(errors="replace") if isinstance(event.key, bytes) else None, None,
                          {"reason": reason, "from": at, "record": where})
        body = json.dumps({"reason": reason, "at": at, "record": where,
                           "value": raw.decode("utf-8", "replace") if raw is not None else None}).encode()
        hdrs = [("reason", reason.encode()), ("at", at.encode()), ("record", where.encode())]
        record = _record(self.topology.dead_letters, event.key if isinstance(event.key, bytes) else None, body, hdrs)
        self._emit(record, at)

    # -- sending --------------------------------------------------------
    def now(self) -> float:
        return time.time()

    def routes(self, envelope: Envelope) -> list[str]:
        """The topic a message goes to; subscribers are whoever reads that topic."""
        if envelope.type not in self.catalog:
            return []
        return [self.topology.topic_for(envelope.type)]

    def publish(self, envelope: Envelope, to: str | None = None) -> None:
        """Send ``envelope`` to the topic its type belongs to (``to`` is ignored: topics route)."""
        e = envelope
        targets = self.routes(e)
        self.trace.record(self.now(), "send", e.sender, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"to": targets})
        if not targets:
            self.dead_letter(e, self._unroutable(e), at=e.sender)
            return
        self._emit(_record(targets[0], key(e), encode(e), headers(e)), e.sender)

    def dead_letter(self, envelope: Envelope, reason: str, *, at: str) -> None:
        """Send the message to the DLQ topic with the reason (body and ``reason`` header)."""
        e = envelope
        self.trace.record(self.now(), "dead_letter", at, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"reason": reason, "from": at})
        self.dead_letters.append(DeadLetter(e, reason, at))
        body = json.dumps({"reason": reason, "at": at, "envelope": e.to_dict()}).encode()
        hdrs = headers(e) + [("reason", reason.encode()), ("at", at.encode())]
        self._emit(_record(self.topology.dead_letters, key(e), body, hdrs), at)

    def redeliver(self, envelope: Envelope, inbox: str, delay: float) -> None:
        """Hand ``envelope`` to ``inbox`` again after ``delay`` real seconds (an injected redelivery)."""
        e = envelope
        self.trace.record(self.now(), "redeliver", inbox, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"after": delay})
        handler = self._handlers[inbox]
        self._loop.call_later(delay, lambda: self._loop.create_task(handler(e)))

    def _emit(self, record: Record, sender: str) -> None:
        outbox = _OUTBOX.get()
        if outbox is not None:
            outbox.append(record)
        else:
            self._loop.create_task(self._send_all(sender, [record]))

    async def _send_all(self, inbox: str, records: list[Record]) -> None:
        app = self._apps.get(inbox) or next(iter(self._apps.values()))
        for name, record_key, value, hdrs in records:
            topic = self._topics.get((inbox, name))
            if topic is None:
                topic = self._topics[(inbox, name)] = app.topic(
                    name, key_serializer="raw", value_serializer="raw", partitions=self.topology.partitions)
            await topic.send(key=record_key, value=value, headers=hdrs)

    async def send_and_flush(self, envelopes: list[Envelope]) -> None:
        """Publish envelopes from outside any handler and wait until the broker has them."""
        for e in envelopes:
            self.trace.record(self.now(), "send", e.sender, e.type, e.message_id, e.correlation_id,
                              e.causation_id, {"to": self.routes(e)})
        records = [_record(self.routes(e)[0], key(e), encode(e), headers(e)) for e in envelopes]
        await self._send_all("", records)
        for app in self._apps.values():
            await app.producer.flush()


def reactions_of(tables: list[Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """One reaction table per service, merged from several domains (email serves two)."""
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        for service, reactions in table.items():
            merged.setdefault(service, {}).update(reactions)
    return merged
