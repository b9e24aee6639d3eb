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
  outbox), and faust flushes the producer before it commits offsets;
* each store's changes also go to the service's compacted changelog topic,
  and a partition newly assigned is restored from it before its records are
  handled (:mod:`playground.kafka.changelog`), so state moves with its
  partition between machines.

Time is real here (``now()`` is Unix time), not the virtual loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
import traceback
import warnings
from typing import Any, Callable, Mapping

from playground.catalog import CATALOG, Catalog
from playground.compat.faust import KafkaOnlyBoot, WorkerApp
from playground.errors import PlaygroundError
from playground.kafka.broker import (BrokerError, broker_address, broker_url, check_broker, cluster_id,
                                     ensure_topics)
from playground.kafka.changelog import Change, create_changelogs, restore
from playground.kafka.client import start_at_end
from playground.kafka.inbox import OUTBOX, KafkaInbox, Record
from playground.kafka.live_trace import LiveTrace
from playground.kafka.room import RoomLink, in_room
from playground.kafka.state import StateStore
from playground.kafka.topics import Topology, encode, headers, key, wire_dict
from playground.runtime.envelope import DeadLetter
from playground.transport.bus import Bus
from playground.runtime.envelope import Envelope, MessageIds
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness
from playground.runtime.realtime import WallClock

#: Tansu delays a group's first join by half the session timeout; 6 s keeps start-up near 4 s.
SESSION_TIMEOUT = 6.0
HEARTBEAT_INTERVAL = 1.0
#: faust's producer refuses requests over 1,000,000 bytes; a record needs room for its key, headers and batch.
MAX_RECORD = 1_000_000 - 16_384
#: Seconds the producer batches records; ``PLAYGROUND_LINGER`` overrides it (read when an app is configured).
PRODUCER_LINGER = 0.005


class KafkaApp(WorkerApp):
    """A faust app that talks to Kafka but runs no web server and no sensors.

    After a rebalance its consumers read every partition again from its
    committed offset, also one never committed in (faust alone skipped those,
    losing records it had fetched but not delivered), and they wait at most
    100 ms per fetch instead of faust's 1.5 s: on the bundled broker that wait
    was most of each hop's latency.
    """

    BootStrategy = KafkaOnlyBoot


#: Where a consumer group without committed offsets starts reading: the whole history, or only what comes next.
START_AT = ("earliest", "latest")


def app_settings(topology: Topology, start_at: str = "earliest") -> dict[str, Any]:
    """faust settings every Kafka-mode app uses (the benchmark's bare chain uses them too)."""
    return dict(broker_session_timeout=SESSION_TIMEOUT, broker_heartbeat_interval=HEARTBEAT_INTERVAL,
                # no leader topic: nothing here needs one, and tansu would auto-create it with 4 partitions
                topic_disable_leader=True, topic_partitions=topology.partitions, topic_replication_factor=1,
                # a service that joins late still sees what was published before it started (unless told "latest")
                consumer_auto_offset_reset=start_at, web_enabled=False,
                # a few milliseconds of batching turns one produce request per message into one per batch
                producer_linger=float(os.environ.get("PLAYGROUND_LINGER", PRODUCER_LINGER)))


def default_state_dir(broker: str, topology: Topology, cluster: str | None = None) -> str:
    """Where a service's state file lives unless told otherwise: shared by its workers on this machine.

    The cluster id is part of the path, so a broker restarted with empty storage
    (a new cluster) starts from empty state instead of replaying old events.
    """
    address = broker_address(broker).replace(":", "-").strip("[]")
    parts = [tempfile.gettempdir(), "playground-kafka", address] + ([_safe(cluster)] if cluster else [])
    return os.path.join(*parts, topology.prefix)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)


#: The file in a state folder naming the cluster its state came from.
CLUSTER_FILE = "cluster-id"


#: Filesystem types on which SQLite's WAL mode (the state files use it) is not supported: network and cluster ones.
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "ceph", "glusterfs",
                                 "fuse.glusterfs", "lustre", "afs", "gpfs", "beegfs", "fuse.s3fs", "fuse.rclone"})


def filesystem_of(path: str, mountinfo: str | None = None) -> str | None:
    """The type of the filesystem ``path`` (absolute, symlinks resolved) is on, from Linux's mount table.

    None where there is no mount table to read (not Linux).

    >>> table = "22 1 0:1 / / rw - ext4 /dev/sda1 rw\\n40 22 0:2 / /mnt/share rw - nfs4 server:/x rw\\n"
    >>> filesystem_of("/mnt/share/state", table), filesystem_of("/home/me", table), filesystem_of("/mnt/shared", table)
    ('nfs4', 'ext4', 'ext4')
    """
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8") as f:
                mountinfo = f.read()
        except OSError:
            return None
    best, kind = "", None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        point = fields[4].replace("\\040", " ")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, right.split()[0]
    return kind


def refuse_network_folder(folder: str) -> None:
    """Refuse a state folder on a network filesystem, where SQLite's WAL mode breaks (shared memory on one host)."""
    kind = filesystem_of(os.path.realpath(folder))
    if kind in NETWORK_FILESYSTEMS:
        raise BrokerError(f"The state folder {folder} is on a network filesystem ({kind}); the state files use "
                          "SQLite in WAL mode, which does not work there, so give each machine a local --state-dir "
                          "(workers on one machine share it; across machines see README, 'What is safe').")


def claim_state_dir(folder: str, cluster: str) -> None:
    """Tie ``folder`` to ``cluster``: stamp a new folder, refuse one whose state came from another cluster."""
    refuse_network_folder(folder)
    os.makedirs(folder, exist_ok=True)
    stamp = os.path.join(folder, CLUSTER_FILE)
    try:
        with open(stamp, encoding="utf-8") as f:
            recorded = f.read().strip()
    except FileNotFoundError:
        with open(stamp, "w", encoding="utf-8") as f:
            f.write(cluster)
        return
    if recorded != cluster:
        raise BrokerError(f"The state folder {folder} holds state from Kafka cluster {recorded}, but the broker is "
                          f"cluster {cluster} (restarted with empty storage?); pass another --state-dir or delete "
                          "that folder, so old messages are not taken for handled ones.")


async def state_folder(url: str, topology: Topology, given: "str | None | bool", timeout: float = 3.0) -> "str | bool":
    """The state folder a worker uses with this broker: ``given``, or a per-cluster default; claimed for the cluster."""
    if given is False:
        return False
    cluster = await cluster_id(url, timeout)
    folder = given or default_state_dir(url, topology, cluster)
    claim_state_dir(folder, cluster)
    return folder


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
        start_at: where a consumer group with no committed offsets starts:
            ``"earliest"`` (a newcomer reads the topics' whole history, the
            default) or ``"latest"`` (it sees only records sent after it joined).
        changelog: also write each service's state to its compacted
            changelog topic and restore a newly assigned partition from it
            (the default), so state moves between machines with its
            partition; False keeps it on this machine only.
    """

    def __init__(self, broker: str | None = None, trace: LiveTrace | None = None, *, catalog: Catalog = CATALOG,
                 faults: FaultPlan | None = None, topology: Topology | None = None,
                 state_dir: "str | None | bool" = None, name: str = "playground", start_at: str = "earliest",
                 changelog: bool = True, randomness: Randomness | None = None):
        url = broker_url(broker)
        if start_at not in START_AT:
            raise PlaygroundError(f"start_at is 'earliest' (the whole history) or 'latest' (only what comes next), "
                                  f"not {start_at!r}.")
        self.start_at = start_at
        self.changelog = bool(changelog)
        if url is None:
            raise BrokerError("Kafka mode needs a broker: pass kafka://host:port or set PLAYGROUND_BROKER.")
        if trace is not None and not isinstance(trace, LiveTrace):
            raise PlaygroundError("KafkaBus records into a LiveTrace (playground.kafka.live_trace); pass one or none.")
        super().__init__(trace if trace is not None else LiveTrace(), catalog=catalog, faults=faults, name=name,
                         randomness=randomness)
        self.url = url
        self.topology = topology if topology is not None else Topology(catalog)
        #: this process's label, in its message ids and in the effects it commits.
        self.process = f"{name}.{secrets.token_hex(3)}"
        self.ids = MessageIds(prefix=f"{self.process}-")
        self._state_given = state_dir
        #: the state folder; a default one is only known once :meth:`start` has asked the broker its cluster id.
        self.state_dir = state_dir
        self._apps: dict[str, KafkaApp] = {}
        self._topics: dict[tuple[str, str], Any] = {}
        self._stores: dict[str, StateStore] = {}
        self._workdir: tempfile.TemporaryDirectory | None = None
        self._receivers: list[KafkaInbox] = []
        self._closing = False
        self.stopped = asyncio.Event()
        self.handled = 0
        #: inbox → partition numbers this process holds now (every topic of the inbox alike).
        self.assignments: dict[str, list[int]] = {}
        #: the largest record value sent (bytes); bigger outputs are dead-lettered (the producer's limit, less headroom).
        self.max_record = MAX_RECORD
        #: called with (inbox, partitions) after every rebalance, e.g. to print it.
        self.on_assigned: Callable[[str, list[int]], None] | None = None
        #: called with (inbox, partitions, records read, keys touched) once new partitions are restored.
        self.on_restored: Callable[[str, list[int], int, int], None] | None = None
        #: the link to the workshop room (heartbeats, the instructor's faults) when the namespace is ``room.*``.
        self.room: RoomLink | None = None

    # -- lifecycle ------------------------------------------------------
    async def start(self, *, check_timeout: float = 10.0) -> None:
        """Check the broker, create the topics, and join every inbox's consumer group."""
        loop = self._loop = asyncio.get_running_loop()
        self._virtual = False
        self.faults.begin(None, self._fault_rng)  # fresh counters; window faults are simulated-time only
        await check_broker(self.url, check_timeout)
        await ensure_topics(self.url, self.topology)
        self._workdir = tempfile.TemporaryDirectory(prefix="playground-kafka-")
        self.state_dir = await state_folder(self.url, self.topology, self._state_given, check_timeout)
        if self.start_at == "latest":  # exact on tansu too: commit each new group's offsets at the end first
            for inbox in self._handlers:
                await start_at_end(self.url, self.topology.group(inbox), self.reads(inbox), self.topology.partitions)
        for inbox, handler in self._handlers.items():
            service = getattr(handler, "service", None)
            if self.state_dir and service is not None:
                self._stores[inbox] = StateStore(os.path.join(self.state_dir, f"{inbox}.sqlite"))
        if self.changelog and self._stores:
            await create_changelogs(self.url, [self.topology.changelog(inbox) for inbox in self._stores],
                                    self.topology.partitions)
        for inbox, handler in self._handlers.items():
            self._apps[inbox] = self._app_for(inbox, handler, loop)
        if not self._apps:  # a bus that only publishes still needs a producer
            self._apps[""] = self._make_app(f"{self.topology.prefix}.{self.name}-producer", loop)
        await asyncio.gather(*(app.start() for app in self._apps.values()))
        for app in self._apps.values():
            # faust resumes an app's flow itself once it holds partitions, and resuming clears the agents'
            # queues: records already fetched would be lost until a restart, so resume only what is not flowing.
            if not app.flow_control.is_active():
                app.flow_control.resume()
        if in_room(self.topology.prefix) and self._handlers:
            self.room = RoomLink(self)
            await self.room.start()

    def _make_app(self, group: str, loop: asyncio.AbstractEventLoop) -> KafkaApp:
        datadir = os.path.join(self._workdir.name, group)
        return KafkaApp(group, broker=self.url, datadir=datadir, loop=loop, **app_settings(self.topology, self.start_at))

    def _app_for(self, inbox: str, handler: Any, loop: asyncio.AbstractEventLoop) -> KafkaApp:
        app = self._make_app(self.topology.group(inbox), loop)
        reacts = self._subscribers_of(inbox)
        names = self.reads(inbox)
        source = app.topic(*names, key_serializer="raw", value_serializer="raw",
                           partitions=self.topology.partitions)
        receiver = KafkaInbox(self, inbox, handler, self.topology.wants(inbox, reacts), self._stores.get(inbox),
                              self.topology.changelog(inbox) if self.changelog else None)
        self._receivers.append(receiver)
        app.agent(source, name=f"{inbox}-agent")(self._agent(receiver))
        declare = getattr(handler, "declare_agents", None)
        if declare is not None:  # a hand-written agent reads what this inbox's own agent hands it
            declare(app)

        async def assigned(sender: Any, assigned: Any, **kwargs: Any) -> None:
            partitions = sorted({tp.partition for tp in assigned})
            newly = sorted(set(partitions) - set(self.assignments.get(inbox, [])))
            self.assignments[inbox] = partitions
            if receiver.changelog is not None:
                self._restore(receiver, newly, partitions)
            if self.on_assigned is not None:
                self.on_assigned(inbox, partitions)

        async def revoked(sender: Any, revoked: Any, **kwargs: Any) -> None:
            # A partition given back later may have been another worker's meanwhile (this one's session may
            # have lapsed): it counts as new then, and is restored again.
            gone = {tp.partition for tp in revoked}
            self.assignments[inbox] = [p for p in self.assignments.get(inbox, []) if p not in gone]

        app.on_partitions_assigned.connect(assigned)
        app.on_partitions_revoked.connect(revoked)
        return app

    def _restore(self, receiver: KafkaInbox, newly: list[int], held: list[int]) -> None:
        """Restore the partitions ``receiver`` was just given from its changelog (its records wait for that)."""
        for partition in [p for p in receiver.restoring if p not in held]:
            del receiver.restoring[partition]
        if not newly:
            return
        inbox, topic = receiver.name, receiver.changelog

        async def run() -> None:
            read, keys = await restore(self.url, topic, receiver.store, inbox, newly)
            if self.on_restored is not None:
                self.on_restored(inbox, newly, read, keys)

        def ended(task: asyncio.Task) -> None:
            if not task.cancelled() and task.exception() is not None:  # never handle a partition without its state
                self.fail(task.exception(), inbox)

        task = asyncio.ensure_future(run())
        task.add_done_callback(ended)
        for partition in newly:
            receiver.restoring[partition] = task

    def _subscribers_of(self, inbox: str) -> list[str]:
        return [type_ for type_, inboxes in self._subscribers.items() if inbox in inboxes]

    def reads(self, inbox: str) -> list[str]:
        """The topics ``inbox`` consumes: its service's commands and the events it subscribed to."""
        return self.topology.topics_for(inbox, self._subscribers_of(inbox))

    async def stop(self, timeout: float = 10.0) -> None:
        """Leave the groups and stop the apps (each within ``timeout`` s), then close the state files."""
        if self.room is not None:  # the room hears that this worker leaves
            room, self.room = self.room, None
            await room.stop()
        # Close the open batches properly first: faust waits for delivered records to be
        # acknowledged before it lets go. Whatever arrives after that is left unacknowledged
        # and comes back to whoever reads those partitions next, so nothing is lost.
        for receiver in self._receivers:
            try:
                await asyncio.wait_for(receiver.flush(), timeout)
            except Exception:  # stopping anyway; the records will be delivered again
                pass
        self._closing = True
        for receiver in self._receivers:
            receiver.close()
            for task in set(receiver.restoring.values()):
                task.cancel()
        apps = list(self._apps.values())
        for app in apps:
            # A record still being handled, or delivered after the close, is never acknowledged:
            # faust would wait for it for ever (and swallow the cancellation). Commit what was
            # acknowledged and go; the rest comes back to whoever reads those partitions next.
            with warnings.catch_warnings():  # faust warns that the old value was read: that is the point
                warnings.filterwarnings("ignore", message="Setting new value for configuration key")
                app.conf.stream_wait_empty = False
        stopping = [asyncio.ensure_future(app.stop()) for app in apps]
        done, hung = await asyncio.wait(stopping, timeout=timeout)
        results = [t.exception() for t in done if not t.cancelled()] + [TimeoutError() for _ in hung]
        for task in hung:
            task.cancel()  # leave it behind: waiting on a task that swallows cancellation never ends
        self._apps = {}
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

    def hold(self) -> None:
        """Count work that is not a message (a saga waiting on a timer); nothing waits on the count here."""
        self.pending += 1

    def release(self) -> None:
        self.pending -= 1

    def reaches(self, inbox: str) -> bool:
        """Any service may run in another process on the broker: a command to it is always sent."""
        return True

    @property
    def timers(self) -> WallClock:
        """Timers in Unix seconds, like :meth:`now` (deadlines are wall times on a broker)."""
        return WallClock(self._loop)

    # -- receiving ------------------------------------------------------
    def _agent(self, receiver: KafkaInbox):
        async def consume(stream: Any) -> None:
            try:
                await receiver.consume(stream)
            except Exception as exc:  # a bug, not a bad record: stop this process loudly
                self.fail(exc, receiver.name)
                raise

        return consume

    def warn(self, text: str) -> None:
        """Something the person running this worker should know, on standard error; the worker goes on."""
        print(f"playground: {text}", file=sys.stderr, flush=True)

    def fail(self, exc: BaseException, inbox: str | None = None) -> None:
        """A bug in the machinery (not a bad record): say so with the traceback and stop the process.

        Same call as :meth:`Bus.fail`; ``inbox`` names the consumer that failed, if one did.
        """
        if self.failure is None:
            self.failure = exc
        trace = "".join(traceback.format_exception(exc))
        where = f"the {inbox} consumer" if inbox else "a timer or callback"
        print(f"playground: {where} failed: {exc!r}\n{trace}", file=sys.stderr, flush=True)
        self.stopped.set()

    def park_raw(self, event: Any, reason: str, *, at: str) -> None:
        """Dead-letter a record that is not an envelope: its text, where it was, and why."""
        msg = event.message
        where = f"{msg.topic}[{msg.partition}]@{msg.offset}"
        raw = event.value if isinstance(event.value, (bytes, type(None))) else str(event.value).encode()
        record_key = event.key if isinstance(event.key, bytes) else None
        self.trace.record(self.now(), "dead_letter", at, None, None,
                          record_key.decode(errors="replace") if record_key is not None else None, None,
                          {"reason": reason, "from": at, "record": where})
        body = json.dumps({"reason": reason, "at": at, "record": where,
                           "value": raw.decode("utf-8", "replace") if raw is not None else None}).encode()
        hdrs = [("reason", reason.encode()), ("at", at.encode()), ("record", where.encode())]
        self._emit((self.topology.dead_letters, record_key, body, hdrs), at)

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
        self._emit((targets[0], key(e), encode(e), headers(e)), e.sender)

    def dead_letter(self, envelope: Envelope, reason: str, *, at: str, brief: bool = False) -> None:
        """Send the message to the DLQ topic with the reason (body and ``reason`` header).

        ``brief`` keeps only the routing fields and a slice of the payload (a
        message too big to send keeps its place in the DLQ without its bulk).
        """
        e = envelope
        self.trace.record(self.now(), "dead_letter", at, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"reason": reason, "from": at})
        self.dead_letters.append(DeadLetter(e, reason, at))
        kept = wire_dict(e)
        if brief:
            kept["payload"] = json.dumps(e.payload, default=str)[:500]
        body = json.dumps({"reason": reason, "at": at, "envelope": kept}).encode()
        hdrs = headers(e) + [("reason", reason.encode()), ("at", at.encode())]
        self._emit((self.topology.dead_letters, key(e), body, hdrs), at)

    def redeliver(self, envelope: Envelope, inbox: str, delay: float) -> None:
        """Hand ``envelope`` to ``inbox`` again after ``delay`` real seconds (an injected redelivery)."""
        e = envelope
        self.trace.record(self.now(), "redeliver", inbox, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"after": delay})
        receiver = next((r for r in self._receivers if r.name == inbox), None)
        # Through the inbox when it keeps state: the key's state is loaded and the outcome committed.
        again = receiver.handle_again if receiver is not None and receiver.store is not None else self._handlers[inbox]

        def run() -> None:
            task = self._loop.create_task(again(e))
            task.add_done_callback(lambda t: t.cancelled() or t.exception() is None or self.fail(t.exception(), inbox))

        self._loop.call_later(delay, run)

    def _emit(self, record: Record, sender: str) -> None:
        outbox = OUTBOX.get()
        if outbox is not None and outbox.open:
            outbox.append(record)  # sent once the handled message is committed
        else:
            self._loop.create_task(self.send_records(sender, [record]))

    async def send_records(self, inbox: str, records: list[Record]) -> None:
        """Hand records to the producer of ``inbox``'s app (they are sent within the linger time)."""
        app = self._apps.get(inbox)
        if app is None:
            app = next(iter(self._apps.values()), None)
        if app is None or self._closing:
            return  # stopping: unacknowledged records come back to whoever reads them next
        for name, record_key, value, hdrs in records:
            topic = self._topics.get((inbox, name))
            if topic is None:
                topic = self._topics[(inbox, name)] = app.topic(
                    name, key_serializer="raw", value_serializer="raw", partitions=self.topology.partitions)
            await topic.send(key=record_key, value=value, headers=hdrs)


    async def send_changes(self, inbox: str, topic: str, changes: list[Change]) -> None:
        """Write changelog records to ``topic``, each to its partition, and wait until the broker has them all."""
        producer = self._apps[inbox].producer
        sent = [await producer.send(topic, key, value, partition, None, None) for partition, key, value in changes]
        await asyncio.gather(*sent)


def reactions_of(tables: list[Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    """One reaction table per service, merged from several domains (email serves two)."""
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        for service, reactions in table.items():
            merged.setdefault(service, {}).update(reactions)
    return merged
