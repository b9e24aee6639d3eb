"""One service's inbox on Kafka: decode, skip, dedupe, handle, then commit and send in batches.

A faust agent hands :class:`KafkaInbox` one record at a time. The inbox
skips records of types its service does not react to (by header, before
decoding), dead-letters records that are not envelopes, recognises messages
it handled before, and runs the service's host on the rest.

Handled messages are not acknowledged one by one. While more records wait in
the agent's buffer (up to :data:`BATCH`), their results pile up; then one
SQLite transaction commits the keys' state, the handled message ids with
what they published, and the effects (a group commit), the records go to the
producer, and only then are the Kafka records acknowledged. faust flushes the
producer before it commits offsets, so a message's offset is never committed
before its state and its output: whoever receives it again finds it handled
and re-sends the same records instead of running the service twice.

When the buffer runs dry the batch is committed a few milliseconds later
(:data:`FLUSH_AFTER`), so a quiet inbox has nothing waiting for long, and a
rebalance (which clears the buffer and waits until every delivered record is
acknowledged) finds nothing half-done.

With a changelog topic (:mod:`playground.kafka.changelog`), a batch's
changes are written there first and acknowledged by the broker before the
local commit, so the file never holds what the changelog lacks; while that
write is under way, the batch's keys and message ids count as newer in
memory than in the file. A partition newly assigned is restored from the
changelog before any of its records is handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
from typing import Any, Iterator

from playground.kafka.changelog import documents
from playground.kafka.live_trace import collecting_effects
from playground.kafka.state import StateStore
from playground.kafka.topics import MalformedRecord, decode

class Outbox(list):
    """Records one handled message publishes; ``open`` only while its handler runs.

    A task the handler starts (a saga's timer) inherits the context variable
    below and with it this list; once the handler is done, whatever that task
    publishes later must go out on its own instead of into a batch already sent.
    """

    open = True


#: Records a handler publishes, collected per handled message (each agent runs in its own task).
OUTBOX: contextvars.ContextVar[Outbox | None] = contextvars.ContextVar("playground_outbox", default=None)

@contextlib.contextmanager
def publishing() -> Iterator[Outbox]:
    """Collect what the code run inside the block publishes (in this task and the tasks it starts meanwhile)."""
    outbox = Outbox()
    token = OUTBOX.set(outbox)
    try:
        yield outbox
    finally:
        outbox.open = False
        OUTBOX.reset(token)


#: Most messages handled before their results are committed together.
BATCH = 64
#: How long an open batch waits for more records once the buffer is empty (seconds).
FLUSH_AFTER = 0.01

Record = tuple  # (topic, key bytes or None, value bytes, [(header, bytes)])


def as_json(records: list[Record]) -> list[dict]:
    """Records as JSON-able dicts for the state store (values are UTF-8 JSON, headers text)."""
    return [{"topic": t, "key": k.decode() if k is not None else None, "value": v.decode("utf-8", "replace"),
             "headers": [[h, b.decode("utf-8", "replace")] for h, b in hs]} for t, k, v, hs in records]


def from_json(stored: list[dict]) -> list[Record]:
    return [(r["topic"], r["key"].encode() if r["key"] is not None else None, r["value"].encode(),
             [(h, b.encode()) for h, b in r["headers"]]) for r in stored]


def identity(envelope: Any) -> str:
    """What makes a message the same message: its id *and* its content (type, correlation id, payload).

    A redelivery is byte for byte the same; another order that happens to
    reuse a message id (``shop-1``, say) is not, and must not be dropped.

    >>> from playground.runtime.envelope import Envelope
    >>> one = Envelope("PlaceOrder", {"order_id": "o-1"}, "shop-1", "o-1", None, 1, 0.0, "shop")
    >>> two = Envelope("PlaceOrder", {"order_id": "o-2"}, "shop-1", "o-2", None, 1, 0.0, "shop")
    >>> identity(one) == identity(one), identity(one) == identity(two)
    (True, False)
    """
    e = envelope
    body = json.dumps([e.type, e.correlation_id, e.payload], sort_keys=True, separators=(",", ":"), default=str)
    return f"{e.message_id}#{hashlib.sha1(body.encode()).hexdigest()[:16]}"


def business_key(envelope: Any, catalog: Any) -> str | None:
    """The business transaction a message is about: its first ``*_id`` field (order, trip, user...).

    Service state and effects are kept per business key, so two messages about
    one order count as one order whatever correlation ids they carry. Falls
    back to the correlation id when the payload names no id.
    """
    e = envelope
    spec = catalog[e.type] if e.type in catalog else None
    names = list(spec.fields) if spec is not None else list(e.payload)
    for name in names:
        value = e.payload.get(name) if isinstance(e.payload, dict) else None
        if name.endswith("_id") and isinstance(value, str):
            return value
    return e.correlation_id


class KafkaInbox:
    """The receiving side of one inbox of a :class:`~playground.kafka.bus.KafkaBus` (``bus``, which owns it)."""

    def __init__(self, bus: Any, name: str, handler: Any, wanted: frozenset[str],
                 store: StateStore | None, changelog: str | None = None):
        self.bus, self.name, self.handler, self.wanted, self.store = bus, name, handler, wanted, store
        self.service = getattr(handler, "service", None)
        #: the changelog topic the store's changes also go to (None: the state stays on this machine).
        self.changelog = changelog if store is not None else None
        #: partition → its restore from the changelog (a task), awaited before its records are handled.
        self.restoring: dict[int, asyncio.Future] = {}
        self._events: list[Any] = []          # delivered, not yet acknowledged
        self._records: list[Record] = []      # to send once committed
        self._handled: list[tuple] = []       # (message_id, key, outputs, effects, partition) to commit
        self._keys: dict[str, int] = {}       # keys changed in memory, not yet committed → their partition
        self._ids: set[str] = set()           # message ids handled, not yet committed
        self._committing: set[str] = set()    # keys and message ids of the batch being written to the changelog
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task] = set()
        self._lock = asyncio.Lock()
        self._closed = False

    async def consume(self, stream: Any) -> None:
        """The agent: every record, in order; a batch closes when full, or soon after the buffer runs dry."""
        queue = getattr(stream.channel, "queue", None)
        async for event in stream.noack().events():
            await self.receive(event)
            if len(self._events) >= BATCH:
                await self.flush()
            elif queue is None or queue.empty():
                self._flush_soon()

    def _flush_soon(self) -> None:
        # Records reach the buffer a few at a time: waiting a moment lets one commit cover many.
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(FLUSH_AFTER, self._start_flush)

    def close(self) -> None:
        """Stop flushing: the open batch is dropped unacknowledged (it will be delivered again)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._closed = True

    def _start_flush(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._tasks.add(task)
        task.add_done_callback(self._flushed)

    def _flushed(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.bus.fail(task.exception(), self.name)  # a flush that fails must not stall the inbox unseen

    async def receive(self, event: Any) -> None:
        """Handle one record; it joins the open batch only once its handling is complete."""
        type_header = event.headers.get("type")
        if type_header is not None:
            type_ = type_header.decode(errors="replace")
            if type_ not in self.wanted and type_ in self.bus.catalog and not self._misrouted(event, type_):
                self._events.append(event)
                return  # another consumer's message on a shared topic
        with publishing() as outbox:
            handled = await self._handle(event, outbox)
        # No await from here on: a flush never sees half of a message.
        if handled is not None:
            self._join_batch(*handled, outbox, event.message.partition)
        self._records.extend(outbox)
        self._events.append(event)

    def _join_batch(self, message_id: str, key: str | None, effects: list, outbox: "Outbox", partition: int) -> None:
        self._handled.append((message_id, key, outbox, effects, partition))
        self._ids.add(message_id)
        if key is not None:
            self._keys[key] = partition

    async def handle_again(self, envelope: Any) -> None:
        """An injected redelivery (a fault plan's failed call): handle ``envelope`` as if the broker brought it back.

        The key's committed state is loaded first, so a service that lost its
        memory (``FaultPlan(amnesia=...)``) finds what it did; what this run
        changes, publishes and notes joins the open batch and is committed like
        any handled message.
        """
        e, bus = envelope, self.bus
        business = business_key(e, bus.catalog)
        if business not in self._keys and business not in self._committing:
            self.store.load(self.service, business)
        with publishing() as outbox:
            effects = await self._run(e, outbox)
        partition = bus.topology.partition_of(e.correlation_id) if e.correlation_id is not None else 0
        self._join_batch(identity(e), business, effects, outbox, partition)
        self._records.extend(outbox)
        self._flush_soon()

    async def _handle(self, event: Any, outbox: list[Record]) -> tuple | None:
        """Run the service on the record; returns (message id, key, effects) if it was handled now."""
        bus = self.bus
        try:
            envelope = decode(event.value, catalog=bus.catalog, now=bus.now())
        except MalformedRecord as exc:
            bus.park_raw(event, str(exc), at=self.name)
            return
        if envelope.type not in self.wanted and envelope.type in bus.catalog:
            if self._misrouted(event, envelope.type):
                bus.dead_letter(envelope, f"{envelope.type} arrived on {event.message.topic}, the {self.name} "
                                          f"service's commands; it belongs on {bus.topology.topic_for(envelope.type)}",
                                at=self.name)
            return
        if bus.room is not None:  # the instructor may have this service down or slow in the whole room
            await bus.room.obey(self.name, before_waiting=self.flush)
        e, store = envelope, self.store
        if self.restoring:
            await self.restored(event.message.partition)
        ident = identity(e)
        if ident in self._ids or ident in self._committing:
            return  # the same message twice in one batch: its results are already waiting
        business = business_key(e, bus.catalog)
        if store is not None:
            # A key changed in this batch (or the one being written) is newer in memory than in the file.
            key = None if business in self._keys or business in self._committing else business
            before = store.recall(self.name, ident, self.service, key)
            if before is not None:
                bus.trace.record(bus.now(), "redeliver", self.name, e.type, e.message_id, e.correlation_id,
                                 e.causation_id, {"handled_before": True})
                outbox.extend(from_json(before))
                return
        effects = await self._run(e, outbox)
        if store is None:
            return None
        return ident, business, effects

    async def _run(self, e: Any, outbox: "Outbox") -> list[tuple[str, str]]:
        """Run the service's host on envelope ``e``; returns the effects (effect, key) it noted."""
        with collecting_effects(self.bus.trace) as effects:
            await self.handler(e)
        self.bus.handled += 1
        self._refuse_oversized(e, outbox)
        return [(d["effect"], d["key"]) for mid, d in effects if mid == e.message_id]

    async def restored(self, partition: int) -> None:
        """Wait until ``partition``'s state is restored from the changelog (a failed restore raises here)."""
        task = self.restoring.get(partition)
        if task is not None:
            await task

    def _misrouted(self, event: Any, type_: str) -> bool:
        """A command on this service's own command topic that another service owns (someone sent it astray)."""
        spec = self.bus.catalog[type_] if type_ in self.bus.catalog else None
        topology = self.bus.topology
        return (spec is not None and spec.kind == "command" and
                event.message.topic == f"{topology.prefix}.{self.name}.commands" != topology.topic_for(type_))

    def _refuse_oversized(self, e: Any, outbox: "Outbox") -> None:
        """Records over the producer's limit would fail the whole batch and wedge the worker: dead-letter instead.

        The message counts as handled (its effects stand, and a redelivery does
        not run it again); what it would have published is replaced by one small
        dead letter naming the record, its size and the limit.
        """
        limit = self.bus.max_record
        big = [(topic, len(value)) for topic, _, value, _ in outbox if len(value) > limit]
        if not big:
            return
        topic, size = big[0]
        outbox.clear()
        self.bus.dead_letter(e, f"handling {e.type} produced a record of {size:,} bytes for {topic}, over the "
                                f"producer's limit of {limit:,} bytes; nothing it would have published was sent",
                             at=self.name, brief=True)

    def _too_big(self, key: str, size: int) -> None:
        self.bus.warn(f"the {self.name} state of {key} is {size:,} bytes with its history, over the producer's "
                      f"limit of {self.bus.max_record:,}; it stays on this machine and does not move with its partition.")

    async def flush(self) -> None:
        """Commit the batch's state and handled ids, hand its records to the producer, acknowledge it."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._closed or not (self._events or self._handled or self._records):
            return
        async with self._lock:  # one batch at a time, so records leave in the order they were made
            records, events, handled, keys, ids = self._records, self._events, self._handled, self._keys, self._ids
            self._records, self._events, self._handled, self._keys, self._ids = [], [], [], {}, set()
            store = self.store
            if store is not None and handled:
                # Before any await: the state as this batch left it (later messages may change it meanwhile).
                state = store.snapshot(self.service, keys)
                rows = [(mid, json.dumps(as_json(outputs)), effects, key, partition)
                        for mid, key, outputs, effects, partition in handled]
                if self.changelog is not None:  # the broker has the batch before the file does
                    self._committing = {*keys, *ids}
                    try:
                        changes = documents(keys, rows, state=state, earlier=store.handled_for(self.name, set(keys)),
                                            worker=self.bus.process, limit=self.bus.max_record, too_big=self._too_big)
                        await self.bus.send_changes(self.name, self.changelog, changes)
                        store.commit_batch(self.name, state, [row[:4] for row in rows], worker=self.bus.process)
                    finally:
                        self._committing = set()
                else:
                    store.commit_batch(self.name, state, [row[:4] for row in rows], worker=self.bus.process)
            await self.bus.send_records(self.name, records)
            for event in events:
                event.ack()
