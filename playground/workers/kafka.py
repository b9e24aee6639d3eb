"""Running services as worker processes on Kafka, and starting and stopping such processes cleanly.

:func:`serve` hosts one or more services on a :class:`KafkaBus` until it is
told to stop; ``playground serve`` calls it. Each service joins its own
consumer group, so processes serving the same service split its partitions.

:class:`ServiceProcess` starts ``playground serve`` as a child process, waits
for its ready line, and stops it the safe way: SIGTERM (the worker leaves its
groups and closes), then SIGKILL after a grace period. Nothing ever stops a
faust app from inside one of its own agents, which deadlocks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Mapping, Sequence

from playground.errors import PlaygroundError
from playground.kafka.broker import BrokerError, broker_address, broker_url, check_broker, cluster_id, lost_topics
from playground.kafka.bus import KafkaBus, reactions_of, state_folder
from playground.kafka.live_trace import LiveTrace
from playground.kafka.tansu import die_with_parent
from playground.kafka.topics import Topology
from playground.orchestration.host import OrchestratorHost
from playground.orchestration.saga import SagaDefinition
from playground.orchestration.store import SqliteStore
from playground.runtime.randomness import Randomness
from playground.runtime.checks import known_names
from playground.scenarios.travel import travel_saga
from playground.services import SERVICES, Service
from playground.flows.onboarding import ONBOARDING_REACTIONS
from playground.flows.orders import ORDER_REACTIONS, ORDER_SAGA
from playground.wiring.choreography import choreograph
from playground.wiring.host import ServiceHost

#: Every service's reactions, from the choreography's tables (email serves both domains).
REACTIONS = reactions_of([ORDER_REACTIONS, ONBOARDING_REACTIONS])

#: How the lines a worker prints begin: once its consumer groups are joined, and after each rebalance.
READY = "ready:"
ASSIGNED = "assigned:"
TAKEN_OVER = "took over:"
RESTORED = "restored:"


#: The name that serves the saga orchestrator instead of a service (``playground serve orchestrator``).
ORCHESTRATOR = "orchestrator"
#: The wirings a worker can serve: services reacting to events, or taking commands from an orchestrator.
WIRINGS = ("choreography", "orchestration")


def sagas() -> dict[str, SagaDefinition]:
    """The sagas an orchestrator worker can run, by name: the order flow and the travel booking."""
    return {"order": ORDER_SAGA, "trip": travel_saga()}


def orchestrated(topology: Topology | None) -> Topology:
    """``topology`` for the orchestrated wiring: services' events become replies on the orchestrator's topic."""
    topology = topology if topology is not None else Topology()
    if topology.replies_to == ORCHESTRATOR:
        return topology
    return dataclasses.replace(topology, replies_to=ORCHESTRATOR, _cache={})


def build_bus(services: Sequence[str], broker: str | None, *, topology: Topology | None = None,
              state_dir: "str | None | bool" = None, trace: LiveTrace | None = None,
              wiring: str | None = None, saga: "str | Sequence[str]" = "order",
              fail: Mapping[str, object] | None = None, participant: str | None = None,
              start_at: str = "earliest", changelog: bool = True) -> KafkaBus:
    """A Kafka bus hosting ``services`` (not started yet); call on the running loop.

    ``wiring`` "choreography" gives each service its reactions; "orchestration"
    (implied by naming ``orchestrator``) hosts services on commands only and
    the orchestrator, if named, running ``saga`` (one name or several) with its instances in a
    SQLite file in the state folder. ``fail`` maps travel services to
    forced-failure rules (``{"cars": 0.5}``, ``{"hotels": "always"}``). ``start_at`` is where
    a consumer group that never committed starts: the topics' whole history, or ``"latest"``.
    ``changelog`` False keeps the services' state on this machine instead of
    moving it with its partitions (see :class:`~playground.kafka.bus.KafkaBus`).
    """
    names = [s for s in services if s != ORCHESTRATOR]
    known_names("service", names, SERVICES)
    if not services:
        raise PlaygroundError("Name at least one service to serve, for example: playground serve payments.")
    wiring = wiring or ("orchestration" if ORCHESTRATOR in services else "choreography")
    known_names("wiring", [wiring], WIRINGS)
    if ORCHESTRATOR in services and wiring != "orchestration":
        raise PlaygroundError("The orchestrator only runs in the orchestration wiring; "
                              "drop --wiring choreography or serve it in a process of its own.")
    fail = dict(fail or {})
    known_names("service given a failure rule", fail, names)
    # Real time orders a Kafka run, so it never replays; its draws still come from one stated seed.
    randomness = Randomness(0)
    built = {name: _service(name, fail.get(name), randomness) for name in names}
    if wiring == "choreography":
        bus = KafkaBus(broker, trace, topology=topology, state_dir=state_dir, name=_label(services, participant),
                       start_at=start_at, changelog=changelog, randomness=randomness)
        choreograph(bus, built, REACTIONS, randomness)
        return bus
    bus = KafkaBus(broker, trace, topology=orchestrated(topology), state_dir=state_dir,
                   name=_label(services, participant), start_at=start_at, changelog=changelog, randomness=randomness)
    for name, service in built.items():
        ServiceHost(service, bus, latency_rng=randomness.stream(f"latency:{name}")).attach()
    if ORCHESTRATOR in services:
        chosen = [saga] if isinstance(saga, str) else list(saga)
        known_names("saga", chosen, sagas())
        bus.orchestrator = OrchestratorHost(bus, [sagas()[name] for name in chosen],
                                            store=_orchestrator_store(bus), randomness=randomness).attach()
    return bus


def _label(services: Sequence[str], participant: str | None) -> str:
    """The process's name in its message ids and effects: ``alice/payments`` in a room, ``payments`` alone."""
    served = "+".join(services)
    return f"{participant.strip()}/{served}" if participant and participant.strip() else served


def _service(name: str, fail: object, randomness: Randomness) -> Service:
    cls = SERVICES[name]
    if fail is None:
        return cls(rng=randomness.stream(name))
    if "fail" not in inspect.signature(cls.__init__).parameters:
        raise PlaygroundError(f"The {name} service takes no failure rule; --fail is for flights, hotels and cars.")
    return cls(fail=fail, rng=randomness.stream(name))


def _orchestrator_store(bus: KafkaBus) -> "str | SqliteStore":
    """The orchestrator's instances: a SQLite file shared by its workers on this machine, or memory."""
    if not bus.state_dir:
        return "memory"
    os.makedirs(bus.state_dir, exist_ok=True)
    return SqliteStore(os.path.join(bus.state_dir, f"{ORCHESTRATOR}.sqlite"))


async def serve(services: Sequence[str], broker: str | None, *, topology: Topology | None = None,
                state_dir: "str | None | bool" = None, trace: LiveTrace | None = None,
                stop: asyncio.Event | None = None, announce: Callable[[str], None] = print, **options) -> KafkaBus:
    """Host ``services`` until ``stop`` is set (or a handler fails), then leave the groups and return.

    ``options`` go to :func:`build_bus` (``wiring``, ``saga``, ``fail``). While it
    runs, a watchdog asks the broker every few seconds whether it is still the
    same cluster with this run's topics; a broker restarted with empty storage
    stops the worker with one sentence instead of an endless stream of errors.
    """
    url = broker_url(broker)
    if url is not None:  # the state folder belongs to the broker's cluster: find it before anything opens it
        await check_broker(url)
        cluster = await cluster_id(url)
        state_dir = await state_folder(url, topology or Topology(), state_dir)
    bus = build_bus(services, broker, topology=topology, state_dir=state_dir, trace=trace, **options)
    stop = stop if stop is not None else asyncio.Event()

    def assigned(inbox: str, partitions: list[int]) -> None:
        # Partitions move between a service's workers whenever one joins or leaves: show it.
        announce(f"{ASSIGNED} {inbox} holds partitions {partitions or 'none'} of {', '.join(bus.reads(inbox))}")
        host = getattr(bus, "orchestrator", None)
        if host is not None and inbox == ORCHESTRATOR:
            # Instances follow their keys' partitions: let go of the others, take over the new ones.
            held = set(partitions)
            released, taken = host.own(lambda key: bus.topology.partition_of(key) in held)
            announce(f"{TAKEN_OVER} {taken} instances from the store, released {released}")

    def restored(inbox: str, partitions: list[int], records: int, keys: int) -> None:
        announce(f"{RESTORED} {inbox} partitions {partitions} from {bus.topology.changelog(inbox)}: "
                 f"{records} records, {keys} keys")

    bus.on_assigned = assigned
    bus.on_restored = restored
    await bus.start()
    try:
        groups = ", ".join(bus.topology.group(s) for s in services)
        announce(f"{READY} serving {', '.join(services)} as {bus.process} on {bus.url} "
                 f"(consumer groups {groups}); Ctrl-C stops.")
        watchdog = asyncio.ensure_future(watch_broker(bus, cluster, services))
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(bus.stopped.wait()), watchdog]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        if watchdog.done() and not watchdog.cancelled() and watchdog.exception() is not None:
            bus.failure = bus.failure or watchdog.exception()
        for w in waiters:
            w.cancel()
    finally:
        await bus.stop()
        host = getattr(bus, "orchestrator", None)
        if host is not None:
            host.close()
    if bus.failure is not None:
        raise bus.failure
    return bus


async def watch_broker(bus: KafkaBus, cluster: str, services: Sequence[str], every: float = 3.0) -> None:
    """Return never; raise :class:`BrokerError` once the broker lost this run (new cluster id, or topics gone).

    A broker that does not answer is waited for: the clients reconnect by themselves.
    """
    while True:
        await asyncio.sleep(every)
        try:
            now = await cluster_id(bus.url, every)
            gone = await lost_topics(bus.url, bus.topology, every)
        except Exception:  # away for now; Kafka clients ride out an outage
            continue
        if now != cluster or gone:
            what = f"its cluster id changed from {cluster} to {now}" if now != cluster else \
                f"{len(gone)} of this run's topics are gone ({gone[0]}, ...)"
            raise BrokerError(f"The broker at {broker_address(bus.url)} lost this run ({what}: it was restarted "
                              f"with empty storage?), so this worker stopped; start it again with playground serve "
                              f"{' '.join(services)} (it creates the topics anew).")


def run_serve(services: Sequence[str], broker: str | None, **kwargs) -> int:
    """Blocking entry point for ``playground serve``: SIGTERM and Ctrl-C stop it cleanly."""

    # aiokafka warns about every rebalance ("Heartbeat failed ... rebalancing"); the assigned: lines say it better.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)

    async def main() -> KafkaBus:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, _on_signal, stop)
        return await serve(services, broker, stop=stop, announce=lambda line: print(line, flush=True), **kwargs)

    bus = asyncio.run(main())
    print(f"stopped: {', '.join(services)} handled {bus.handled:,} messages.", flush=True)
    return 0


def _on_signal(stop: asyncio.Event) -> None:
    if stop.is_set():
        os._exit(130)  # a second Ctrl-C: the user wants out now
    stop.set()


class ServiceProcess:
    """``playground serve`` in a child process (its own session, so Ctrl-C in a terminal does not reach it).

    >>> ServiceProcess(["payments"], "kafka://127.0.0.1:9092").command[3:]
    ['serve', 'payments', '--broker', 'kafka://127.0.0.1:9092', '--prefix', 'playground', '--partitions', '4']

    ``start()`` launches it, ``wait_ready()`` blocks until it has joined its
    groups, ``stop()`` ends it (SIGTERM, then SIGKILL) and ``kill()`` crashes it.
    """

    def __init__(self, services: Sequence[str], broker: str, *, prefix: str = "playground",
                 partitions: int = 4, state_dir: str | None = None, trace_file: str | None = None,
                 extra_env: dict[str, str] | None = None, options: Sequence[str] = ()):
        self.services = list(services)
        self.command = [sys.executable, "-m", "playground.cli", "serve", *self.services, "--broker", broker,
                        "--prefix", prefix, "--partitions", str(partitions), *options]
        if state_dir:
            self.command += ["--state-dir", state_dir]
        if trace_file:
            self.command += ["--trace", trace_file]
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        self.process: subprocess.Popen | None = None
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()

    def start(self) -> "ServiceProcess":
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env=self.env, start_new_session=True,
                                        preexec_fn=die_with_parent)
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        return self

    def _pump(self) -> None:
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                self._queue.put(line)
        self._queue.put(None)

    def _reap(self) -> None:
        self.process.wait()
        self._reader.join(5)  # the reader closes the pipe once the output ends

    def wait_ready(self, timeout: float = 60.0) -> "ServiceProcess":
        """Block until the worker printed its ready line; raise with its output if it exits or times out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise PlaygroundError(
                    f"{self.services} did not get ready within {timeout:g} s: {self.output()!r}") from None
            if line is None:
                raise PlaygroundError(f"{self.services} exited before it was ready: {self.output()!r}")
            if line.startswith(READY):
                return self

    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def label(self) -> str | None:
        """The worker's process label (as in its message ids and committed effects), once ready."""
        for line in self.lines:
            if line.startswith(READY) and " as " in line:
                return line.split(" as ", 1)[1].split()[0]
        return None

    def partitions(self, service: str) -> list[int] | None:
        """The partitions the worker last said it holds for ``service`` (None before its first assignment)."""
        held = None
        for line in self.lines:
            if line.startswith(f"{ASSIGNED} {service} holds partitions "):
                text = line.split(" holds partitions ", 1)[1].split(" of ", 1)[0]
                held = [] if text == "none" else [int(p) for p in text.strip("[]").split(",")]
        return held

    def restored(self, service: str) -> set[int]:
        """The partitions of ``service`` the worker said it restored from the changelog so far."""
        done: set[int] = set()
        for line in self.lines:
            if line.startswith(f"{RESTORED} {service} partitions "):
                done.update(json.loads(line.split(" partitions ", 1)[1].split(" from ", 1)[0]))
        return done

    def stop(self, grace: float = 15.0) -> int:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; returns the exit status."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
        self._reap()
        return process.returncode

    def kill(self) -> None:
        """SIGKILL at once, as a crash would: no goodbye to the group, no offset commit."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self._reap()
