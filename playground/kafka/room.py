"""A workshop room on one broker: what every participant runs, how far behind it is, and faults for everyone.

Every worker whose namespace starts with ``room.`` (``--participant NAME``
gives ``room.NAME``; ``--prefix room.shared`` joins a shared flow) links
itself to the room through two small topics:

* ``room.status``: the worker says every :data:`HEARTBEAT_EVERY` seconds who
  it is (``alice/payments.ab12cd``), which services it serves, which
  partitions it holds, how many messages it handled and dead-lettered, and
  which room faults it obeys; once more, marked stopped, when it leaves;
* ``room.control``: the instructor's faults (:func:`send_fault`). A worker
  reads the whole topic when it starts and keeps reading, so a fault reaches
  workers started after it was issued, for as long as it lasts.

:func:`room_view` puts one picture together from those heartbeats and from
what the broker itself knows: each consumer group's committed offsets
against the end of the topics it reads (the lag, in records), and the
dead-letter topic of every namespace. ``playground room`` prints it, again
and again; ``playground room fault`` sends a fault.

Faults are about services, not participants: ``slow payments 2s`` makes every
payments worker in the room wait two seconds before it handles each message;
``down shipping 30s`` makes every shipping worker stop taking messages for
thirty seconds (its group keeps its partitions, as a stuck worker would, so
the lag grows and drains once the fault ends). A fault's end is a wall-clock
time taken from the instructor's machine: laptops whose clocks disagree by
more than a second or two (no NTP) see it end early or late.

>>> faults = RoomFaults()
>>> faults.apply({"fault": "down", "service": "shipping", "seconds": 0, "until": 130.0, "issued": 100.0}, now=101.0)
>>> faults.down_until("shipping", now=120.0), faults.down_until("shipping", now=131.0)
(130.0, None)
>>> faults.apply({"fault": "clear", "issued": 125.0}, now=125.0)
>>> faults.active(now=126.0)
[]
>>> parse_seconds("1.5s"), parse_seconds("2m"), parse_seconds("250ms"), parse_seconds("3")
(1.5, 120.0, 0.25, 3.0)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from playground.errors import PlaygroundError
from playground.kafka.broker import broker_address, check_broker, create_topics
from playground.kafka.client import read_range, true_ends

#: Namespaces that belong to the room start with this (``room.alice``, ``room.shared``).
ROOM_PREFIX = "room."
#: Heartbeats of the room's workers, one partition so they keep their order.
STATUS_TOPIC = "room.status"
#: The instructor's faults, one partition.
CONTROL_TOPIC = "room.control"
#: Seconds between two heartbeats of one worker.
HEARTBEAT_EVERY = 2.0
#: A worker silent for this many heartbeats is shown as gone (killed, or its laptop closed).
SILENT_AFTER = 3
#: Heartbeats read back when a view is taken (20 laptops, one each 2 s: over a minute of them).
HISTORY = 2000
#: The faults an instructor can send.
FAULTS = ("slow", "down", "clear")


def in_room(prefix: str) -> bool:
    """Whether a namespace belongs to the workshop room (its workers heartbeat and obey room faults)."""
    return prefix.startswith(ROOM_PREFIX)


def parse_seconds(text: str | float) -> float:
    """``2s``, ``1.5s``, ``2m``, ``250ms`` or a plain number, in seconds (refuses anything else)."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        raw = text.strip().lower()
        scale = 1.0
        for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
            if raw.endswith(suffix):
                raw, scale = raw[: -len(suffix)], factor
                break
        try:
            value = float(raw) * scale
        except ValueError:
            raise PlaygroundError(f"A duration looks like 2s, 1.5s, 2m or 250ms, not {text!r}.") from None
    if not value >= 0 or value == float("inf"):
        raise PlaygroundError(f"A duration must be zero or more seconds, not {text!r}.")
    return value


@dataclass
class RoomFaults:
    """The room faults in force, from the control topic's orders: (kind, service) → (until, seconds)."""

    faults: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def apply(self, order: Mapping[str, Any], now: float) -> None:
        """Take one order from the control topic (expired ones change nothing)."""
        kind = order.get("fault")
        if kind == "clear":  # the control topic keeps its order: faults sent after a clear stand
            self.faults = {}
            return
        if kind not in ("slow", "down") or not isinstance(order.get("service"), str):
            return  # an order this version does not know: ignored, like an unknown envelope field
        until = float(order.get("until", 0))
        if until > now:
            self.faults[kind, order["service"]] = (until, float(order.get("seconds", 0)))

    def delay_for(self, service: str, now: float) -> float:
        """Seconds a ``slow`` fault adds before each message of ``service`` (0 when none is in force)."""
        until, seconds = self.faults.get(("slow", service), (0.0, 0.0))
        return seconds if until > now else 0.0

    def down_until(self, service: str, now: float) -> float | None:
        """When a ``down`` fault on ``service`` ends, or None when the service is up."""
        until, _ = self.faults.get(("down", service), (0.0, 0.0))
        return until if until > now else None

    def active(self, now: float) -> list[dict[str, Any]]:
        """The faults still in force, as plain dicts (kind, service, seconds, left)."""
        return [{"fault": kind, "service": service, "seconds": seconds, "left": round(until - now, 1)}
                for (kind, service), (until, seconds) in sorted(self.faults.items()) if until > now]


def fault_order(kind: str, service: str | None = None, *, lasting: float = 0.0, seconds: float = 0.0,
                now: float | None = None) -> dict[str, Any]:
    """The control record for one fault: ``slow`` (``seconds`` per message) or ``down``, for ``lasting`` seconds."""
    if kind not in FAULTS:
        raise PlaygroundError(f"A room fault is one of {', '.join(FAULTS)}, not {kind!r}.")
    issued = time.time() if now is None else now
    if kind == "clear":
        return {"fault": "clear", "issued": issued}
    if not service:
        raise PlaygroundError(f"Name the service a {kind} fault hits, for example: --{kind} payments 30s.")
    if lasting <= 0:
        raise PlaygroundError(f"A {kind} fault needs a duration above zero, for example 30s.")
    return {"fault": kind, "service": service, "seconds": seconds, "issued": issued, "until": issued + lasting}


async def ensure_room_topics(url: str) -> None:
    """Create the room's status and control topics (one partition each) if they are missing."""
    await create_topics(url, [STATUS_TOPIC, CONTROL_TOPIC], partitions=1)


async def send_fault(broker: str, order: Mapping[str, Any]) -> None:
    """Publish a fault on the room's control topic and wait until the broker has it."""
    from aiokafka import AIOKafkaProducer

    await check_broker(broker)
    await ensure_room_topics(broker)
    producer = AIOKafkaProducer(bootstrap_servers=broker_address(broker))
    await producer.start()
    try:
        await producer.send_and_wait(CONTROL_TOPIC, json.dumps(dict(order)).encode(), partition=0)
    finally:
        await producer.stop()


class RoomLink:
    """One worker's link to the room: heartbeats out, the instructor's faults in.

    ``bus`` is the worker's :class:`~playground.kafka.bus.KafkaBus`; it
    starts the link when its namespace is in the room and stops it first
    when it stops (the last heartbeat says the worker left).
    """

    def __init__(self, bus: Any, every: float = HEARTBEAT_EVERY):
        self.bus = bus
        self.every = every
        self.faults = RoomFaults()
        self._producer: Any = None
        self._consumer: Any = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

        address = broker_address(self.bus.url)
        await ensure_room_topics(self.bus.url)
        self._producer = AIOKafkaProducer(bootstrap_servers=address)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=address, group_id=None, enable_auto_commit=False,
                                          auto_offset_reset="earliest")
        await self._producer.start()
        await self._consumer.start()
        control = TopicPartition(CONTROL_TOPIC, 0)
        self._consumer.assign([control])
        # The faults already issued are in force before the first message is handled.
        start = (await self._consumer.beginning_offsets([control]))[control]
        end = (await true_ends(self._consumer, [control]))[control]
        self._take({control: await read_range(self._consumer, control, start, end)})
        self._tasks = [asyncio.ensure_future(self._listen()), asyncio.ensure_future(self._beat())]

    def _take(self, batches: Mapping[Any, list]) -> None:
        for records in batches.values():
            for record in records:
                try:
                    order = json.loads(record.value)
                except (TypeError, ValueError):
                    continue  # not an order: the control topic is the instructor's, ignore noise
                if isinstance(order, dict):
                    self.faults.apply(order, time.time())

    async def _listen(self) -> None:
        while True:
            self._take(await self._consumer.getmany(timeout_ms=1000))

    async def _beat(self) -> None:
        while True:
            await self.heartbeat()
            await asyncio.sleep(self.every)

    def status(self, stopped: bool = False) -> dict[str, Any]:
        """What this worker tells the room about itself now."""
        bus = self.bus
        inboxes = bus.inboxes
        failure = bus.failure
        return {"process": bus.process, "prefix": bus.topology.prefix, "services": inboxes,
                "reads": {name: bus.reads(name) for name in inboxes},
                "partitions": {name: bus.assignments.get(name, []) for name in inboxes},
                "handled": bus.handled, "dead_letters": len(bus.dead_letters),
                "faults": self.faults.active(time.time()),
                "error": f"{type(failure).__name__}: {failure}" if failure is not None else None,
                "stopped": stopped, "time": time.time()}

    async def heartbeat(self, stopped: bool = False) -> None:
        value = json.dumps(self.status(stopped)).encode()
        await self._producer.send_and_wait(STATUS_TOPIC, value, key=self.bus.process.encode(), partition=0)

    async def obey(self, service: str, before_waiting: Any = None) -> None:
        """Wait while ``service`` is down in the room, then as long as a slow fault says (none: return at once)."""
        until = self.faults.down_until(service, time.time())
        if until is not None and before_waiting is not None:
            await before_waiting()  # acknowledge what is done before standing still
        while until is not None:
            await asyncio.sleep(min(0.5, max(0.01, until - time.time())))
            until = self.faults.down_until(service, time.time())
        delay = self.faults.delay_for(service, time.time())
        if delay:
            await asyncio.sleep(delay)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):  # leaving anyway: a view shows a silent worker as gone
            await asyncio.wait_for(self.heartbeat(stopped=True), 3.0)
        for client in (self._consumer, self._producer):
            if client is not None:
                await _stop(client)


@dataclass(frozen=True)
class Worker:
    """One worker process as its last heartbeat described it."""

    process: str
    prefix: str
    services: tuple[str, ...]
    partitions: Mapping[str, list[int]]
    handled: int
    dead_letters: int
    error: str | None
    live: bool

    @property
    def participant(self) -> str:
        """Whose laptop: the part of the label before ``/`` (the namespace's name when there is none)."""
        return self.process.split("/", 1)[0] if "/" in self.process else namespace_name(self.prefix)


@dataclass(frozen=True)
class Group:
    """One service of one namespace: its consumer group's workers, progress and lag in records."""

    prefix: str
    service: str
    workers: int
    read: int
    lag: int

    @property
    def stalled(self) -> bool:
        """Records wait and no worker of this service is alive to take them."""
        return self.lag > 0 and self.workers == 0


def namespace_name(prefix: str) -> str:
    """``alice`` for ``room.alice``."""
    return prefix[len(ROOM_PREFIX):] if in_room(prefix) else prefix


@dataclass(frozen=True)
class RoomView:
    """The room at one moment: workers, groups with their lag, dead letters per namespace, faults in force."""

    broker: str
    workers: tuple[Worker, ...]
    groups: tuple[Group, ...]
    dead_letters: Mapping[str, int]
    last_dead_letter: Mapping[str, str]
    faults: tuple[Mapping[str, Any], ...]

    def group(self, prefix: str, service: str) -> Group:
        """The group of ``service`` in namespace ``prefix`` (``room.alice``)."""
        for g in self.groups:
            if g.prefix == prefix and g.service == service:
                return g
        raise PlaygroundError(f"No worker in the room ever served {service} in {prefix}.")

    def live(self, prefix: str | None = None) -> list[Worker]:
        """Workers alive now (of one namespace, or of the whole room)."""
        return [w for w in self.workers if w.live and (prefix is None or w.prefix == prefix)]

    def text(self) -> str:
        """The view as a terminal table."""
        prefixes = sorted({g.prefix for g in self.groups} | set(self.dead_letters))
        faults = "; ".join(f"{f['service']} {f['fault']}" + (f" {f['seconds']:g}s per message" if f["fault"] == "slow"
                                                               else "") + f" for {f['left']:g}s more"
                           for f in self.faults) or "none"
        lines = [f"room on {self.broker}: {len(prefixes)} namespaces, {len(self.live())} workers alive; "
                 f"faults: {faults}",
                 f"{'namespace':<16} {'service':<13} {'workers':>7} {'read':>7} {'lag':>6}  note"]
        for g in sorted(self.groups, key=lambda g: (g.prefix, g.service)):
            note = "STALLED: nobody serves it" if g.stalled else ("behind" if g.lag else "")
            lines.append(f"{namespace_name(g.prefix):<16} {g.service:<13} {g.workers:>7} {g.read:>7} {g.lag:>6}  {note}")
        lines.append("dead letters:")
        for prefix in prefixes:
            count = self.dead_letters.get(prefix, 0)
            last = self.last_dead_letter.get(prefix)
            lines.append(f"  {namespace_name(prefix):<16} {count:>5}" + (f"  last: {last}" if last else ""))
        lines.append("workers:")
        for w in sorted(self.workers, key=lambda w: (w.prefix, w.process)):
            held = "  ".join(f"{s} {w.partitions.get(s) or '-'}" for s in w.services)
            state = "alive" if w.live else "gone"
            extra = f"  ERROR {w.error}" if w.error else ""
            lines.append(f"  {w.process:<34} {namespace_name(w.prefix):<12} {state:<5} handled {w.handled:>6}  "
                         f"{held}{extra}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.text())}</pre>"


async def group_lag(admin: Any, group: str, tps: list, starts: Mapping, ends: Mapping) -> tuple[int, int]:
    """(records read, records waiting) of consumer group ``group`` over the partitions ``tps``.

    Read is what the group committed past each partition's start; waiting is
    the rest up to the partition's end (``starts``/``ends``: offsets by
    partition). A partition the group never committed counts from its start,
    as ``auto_offset_reset="earliest"`` would read it.
    """
    if not tps:
        return 0, 0
    committed = await admin.list_consumer_group_offsets(group, partitions=tps)
    read = waiting = 0
    for tp in tps:
        done = committed.get(tp)
        at = done.offset if done is not None and done.offset >= 0 else starts[tp]
        read += max(0, at - starts[tp])
        waiting += max(0, ends[tp] - at)
    return read, waiting


async def group_progress(broker: str, group: str, topics: list[str]) -> tuple[int, int]:
    """(records read, records waiting) of consumer group ``group`` over ``topics``, asked of the broker now."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    address = broker_address(broker)
    consumer = AIOKafkaConsumer(bootstrap_servers=address, group_id=None, enable_auto_commit=False)
    admin = AIOKafkaAdminClient(bootstrap_servers=address)
    await consumer.start()
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
        tps = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
        consumer.assign(tps)
        starts, ends = await consumer.beginning_offsets(tps), await true_ends(consumer, tps)
        return await group_lag(admin, group, tps, starts, ends)
    finally:
        await admin.close()
        await _stop(consumer)


async def room_view(broker: str, *, history: int = HISTORY, now: float | None = None) -> RoomView:
    """The room as the broker and the last heartbeats show it (one snapshot; see ``playground room``)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    await check_broker(broker)
    await ensure_room_topics(broker)
    address = broker_address(broker)
    consumer = AIOKafkaConsumer(bootstrap_servers=address, group_id=None, enable_auto_commit=False,
                                fetch_max_wait_ms=100, request_timeout_ms=5000)
    admin = AIOKafkaAdminClient(bootstrap_servers=address)
    await consumer.start()
    await admin.start()
    try:
        status, control = TopicPartition(STATUS_TOPIC, 0), TopicPartition(CONTROL_TOPIC, 0)
        consumer.assign([status, control])
        ends = await true_ends(consumer, [status, control])
        starts = await consumer.beginning_offsets([status, control])
        beats = await read_range(consumer, status, max(starts[status], ends[status] - history), ends[status])
        orders = await read_range(consumer, control, starts[control], ends[control])
        now = time.time() if now is None else now
        latest: dict[str, dict] = {}
        for record in beats:
            with contextlib.suppress(TypeError, ValueError):
                beat = json.loads(record.value)
                if isinstance(beat, dict) and isinstance(beat.get("process"), str):
                    latest[beat["process"]] = beat
        workers = tuple(_worker(beat, now) for beat in latest.values())
        faults = RoomFaults()
        for record in orders:
            with contextlib.suppress(TypeError, ValueError):
                faults.apply(json.loads(record.value), now)
        reads: dict[tuple[str, str], set[str]] = {}
        for beat in latest.values():
            for service, topics in beat.get("reads", {}).items():
                reads.setdefault((beat["prefix"], service), set()).update(topics)
        prefixes = sorted({p for p, _ in reads})
        dead_topics = [f"{prefix}.dead-letters" for prefix in prefixes]
        topics = sorted(set().union(*reads.values(), dead_topics)) if reads else []
        described = await admin.describe_topics(topics) if topics else []
        tps_of = {d["topic"]: [TopicPartition(d["topic"], p["partition"]) for p in d["partitions"]]
                  for d in described if not d["error_code"]}
        every = [tp for tps in tps_of.values() for tp in tps]
        consumer.assign([status, control, *every])
        starts = await consumer.beginning_offsets(every) if every else {}
        ends = await true_ends(consumer, every) if every else {}
        keys = sorted(reads)
        lags = await asyncio.gather(*(
            group_lag(admin, f"{prefix}.{service}", [tp for t in sorted(reads[prefix, service])
                                                      for tp in tps_of.get(t, [])], starts, ends)
            for prefix, service in keys))
        groups = []
        for (prefix, service), (read, lag) in zip(keys, lags):
            alive = sum(1 for w in workers if w.live and w.prefix == prefix and service in w.services)
            groups.append(Group(prefix, service, alive, read, lag))
        dead = {prefix: sum(ends[tp] - starts[tp] for tp in tps_of.get(topic, []))
                for prefix, topic in zip(prefixes, dead_topics)}
        last = await _last_reasons(consumer, {prefix: [tp for tp in tps_of.get(topic, []) if ends[tp] > starts[tp]]
                                              for prefix, topic in zip(prefixes, dead_topics)}, ends)
        return RoomView(broker_address(broker), workers, tuple(groups), dead, last, tuple(faults.active(now)))
    finally:
        await admin.close()
        await _stop(consumer)


async def _stop(client: Any, within: float = 3.0) -> None:
    """Stop an aiokafka client, but never wait on it for long (a fetch tansu leaves unanswered can hold it)."""
    with contextlib.suppress(Exception, asyncio.TimeoutError):
        await asyncio.wait_for(client.stop(), within)


def _worker(beat: dict, now: float) -> Worker:
    live = not beat.get("stopped") and now - float(beat.get("time", 0)) < SILENT_AFTER * HEARTBEAT_EVERY
    return Worker(beat["process"], beat.get("prefix", "?"), tuple(beat.get("services", ())),
                  dict(beat.get("partitions", {})), int(beat.get("handled", 0)), int(beat.get("dead_letters", 0)),
                  beat.get("error"), live)


async def _last_reasons(consumer: Any, tps_by_prefix: Mapping[str, list], ends: Mapping) -> dict[str, str]:
    """Per namespace, the reason of its newest dead letter (the last record of each partition, newest wins)."""
    wanted = [tp for tps in tps_by_prefix.values() for tp in tps]
    if not wanted:
        return {}
    assigned = consumer.assignment()
    consumer.assign(list(assigned | set(wanted)))
    last: dict[str, str] = {}
    try:
        for prefix, tps in tps_by_prefix.items():
            newest: tuple[int, str] | None = None
            for tp in tps:
                for record in await read_range(consumer, tp, ends[tp] - 1, ends[tp]):
                    with contextlib.suppress(TypeError, ValueError, AttributeError):
                        reason = str(json.loads(record.value).get("reason", "?"))
                        if newest is None or record.timestamp > newest[0]:
                            newest = (record.timestamp, reason)
            if newest is not None:
                last[prefix] = newest[1]
    finally:
        consumer.assign(list(assigned))
    return last


async def watch_room(broker: str, *, every: float = 2.0, count: int = 0) -> RoomView:
    """The room view in a notebook, redrawn in place every ``every`` seconds (``count`` times; 0: until interrupted).

    ``await watch_room("kafka://HOST:PORT")`` in a cell; interrupt the kernel to stop it. Returns the last view.
    """
    from IPython.display import display

    handle, shown = None, 0
    while True:
        view = await room_view(broker)
        if handle is None:
            handle = display(view, display_id=True)
        else:
            handle.update(view)
        shown += 1
        if count and shown >= count:
            return view
        await asyncio.sleep(every)


def run_room_view(broker: str, *, every: float = 2.0, count: int = 0, out: Any = None) -> int:
    """``playground room``: print the view every ``every`` seconds (``count`` times; 0 = until Ctrl-C)."""
    import sys

    out = out if out is not None else sys.stdout
    clear = "\x1b[H\x1b[2J" if getattr(out, "isatty", lambda: False)() else ""

    async def main() -> None:
        shown = 0
        while True:
            view = await room_view(broker)
            out.write(clear + view.text() + "\n" + ("" if clear else "\n"))
            out.flush()
            shown += 1
            if count and shown >= count:
                return
            await asyncio.sleep(every)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    return 0
