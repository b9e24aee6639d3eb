"""The bus: named inboxes on faust channels, routing by the catalog, a dead-letter channel.

One faust ``App`` is built per run (a stopped faust app cannot start again)
with Kafka, web and sensors switched off. Every inbox is its own
``app.channel()`` with one agent reading it, so each consumer processes its
messages one at a time, in arrival order. The bus does the fan-out itself, in
subscription order, because faust's channel fan-out iterates a ``WeakSet``
whose order changes from process to process.

``workers={"payments": 4}`` gives an inbox several lanes, each a channel with
its own agent: a message goes to the lane its correlation id hashes to, so one
transaction's messages stay in order while different transactions are handled
side by side — the way a Kafka consumer group with one partition per worker
splits a keyed topic (without rebalancing, and with exactly one partition per
worker).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import weakref
import zlib
from functools import partial
from typing import Any, Awaitable, Callable

import faust

from playground.catalog import CATALOG, Catalog
from playground.compat.faust import (LeanStream, NoKafkaBoot, OncePerProcessApp, agent_queue,
                                     close_consumer_thread_loop, quick_put)
from playground.compat.mode import WokenSupervisor, format_only_logged_lines
from playground.runtime.clock import VirtualTimeLoop
from playground.runtime.envelope import DEAD_LETTERS, DeadLetter, Envelope, MessageIds
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness, Unseeded
from playground.runtime.trace import Trace
from playground.runtime.work import CHECK_EVERY, WorkCounter
from playground.runtime.checks import is_whole

Handler = Callable[[Envelope], Awaitable[None]]



class _QuietLibraries:
    """faust, mode and aiokafka announce every start and stop at INFO; the trace is our log.

    Their loggers are set to WARNING while a bus runs and given back the levels
    they had before the first one started once no running bus is left (buses
    may overlap: live sessions). A bus that never reached ``stop`` (a run torn
    down by an interrupt) stops counting once it is garbage-collected.
    """

    NAMES = ("faust", "mode", "aiokafka")

    def __init__(self) -> None:
        self._running: weakref.WeakSet = weakref.WeakSet()
        self._levels: list[int] | None = None

    def enter(self, bus: Any) -> None:
        format_only_logged_lines()  # lines below WARNING are not even formatted
        loggers = [logging.getLogger(name) for name in self.NAMES]
        if self._levels is None:
            self._levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.WARNING)
        self._running.add(bus)

    def leave(self, bus: Any) -> None:
        self._running.discard(bus)
        if not self._running and self._levels is not None:
            for name, level in zip(self.NAMES, self._levels):
                logging.getLogger(name).setLevel(level)
            self._levels = None


#: Shared by every bus of the process (the Kafka bus too).
library_logs = _QuietLibraries()


class EmbeddedApp(OncePerProcessApp):
    """A faust app that needs no broker: agents on in-memory channels only.

    Its settings are copied from ones built once per process, and it makes no
    folder: its tables, if a hand-written agent declares any, stay in memory.
    """

    BootStrategy = NoKafkaBoot
    #: Where faust would keep table files; never made, since tables stay in memory (see OncePerProcessApp).
    DATADIR = os.path.join(tempfile.gettempdir(), "playground-embedded")


class Lanes:
    """An inbox served by several workers: one queue per worker, a message to the lane its key hashes to."""

    def __init__(self, queues: list[asyncio.Queue]):
        self.queues = queues

    def put_nowait(self, envelope: Any) -> None:
        e = getattr(envelope, "envelope", envelope)  # a DeadLetter is keyed by the message it holds
        key = e.correlation_id or e.message_id
        self.queues[zlib.crc32(key.encode()) % len(self.queues)].put_nowait(envelope)


class Bus:
    """Carries envelopes between inboxes and records every send and delivery in the trace.

    Args:
        workers: inbox → how many workers (lanes) serve it; one when not named.
    """

    def __init__(self, trace: Trace | None = None, *, catalog: Catalog = CATALOG,
                 faults: FaultPlan | None = None, name: str = "playground", randomness: Randomness | None = None,
                 clock: Any = None, workers: dict[str, int] | None = None):
        self.trace = trace if trace is not None else Trace()
        # None: the loop is the clock (virtual time). Live mode passes a ScaledClock
        # (playground.runtime.realtime); hosts and workloads sleep through bus.sleep either way.
        self.clock = clock
        self._clock_now: Callable[[], float] | None = None
        self._quieted = False
        self.sleep = clock.sleep if clock is not None else asyncio.sleep
        # Fault decisions draw from their own seeded stream, so injecting faults never shifts the workload.
        self._fault_rng = randomness.stream("faults") if randomness is not None else Unseeded(
            "A fault rule with a fraction", "build the bus with randomness=Randomness(seed)")
        self.catalog = catalog
        self.faults = faults if faults is not None else FaultPlan()
        self.name = name
        self.ids = MessageIds()
        self.dead_letters: list[DeadLetter] = []
        self.pending = 0
        self._handlers: dict[str, Handler] = {}
        self._subscribers: dict[str, list[str]] = {}
        # type → the detail of its "send" entries ({"to": routes}): one dict shared by every send of that
        # type, since routes change only when an inbox or a subscription is added (which clears it).
        self._send_notes: dict[str, dict[str, list[str]]] = {}
        self._versions: dict[str, int] = {}  # type → its contract's schema version, looked up once
        self._queues: dict[str, asyncio.Queue | Lanes] = {}
        self._puts: dict[str, Callable[[Any], None]] = {}  # inbox → its queue's put, as publish calls it
        self.workers = dict(workers or {})
        for inbox, n in self.workers.items():
            if not is_whole(n) or n < 1:
                raise ValueError(f"workers for {inbox!r} must be a whole number of at least 1, not {n!r}")
        self._app: EmbeddedApp | None = None
        self._idle: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failure: BaseException | None = None
        #: Longest causation chain a message may extend (None: no limit); deeper messages are dead-lettered.
        self.max_depth: int | None = None
        self._depths: dict[str, int] = {}
        self.work = WorkCounter()

    # -- wiring ---------------------------------------------------------
    def add_inbox(self, name: str, handler: Handler) -> None:
        """Give component ``name`` an inbox whose messages ``handler`` processes one at a time."""
        if name in self._handlers:
            raise ValueError(f"inbox {name!r} exists already")
        self._handlers[name] = handler
        self._send_notes.clear()

    def subscribe(self, inbox: str, *types: str) -> None:
        """Deliver every published message of these types to ``inbox`` as well."""
        for type_ in types:
            self.catalog[type_]  # refuse unknown types early, with the catalog's message
            subscribers = self._subscribers.setdefault(type_, [])
            if inbox not in subscribers:
                subscribers.append(inbox)
        self._send_notes.clear()

    def subscribers(self, type_: str) -> list[str]:
        return list(self._subscribers.get(type_, ()))

    @property
    def inboxes(self) -> list[str]:
        return list(self._handlers)

    def reaches(self, inbox: str) -> bool:
        """Whether a command addressed to ``inbox`` can be delivered: here, only to an inbox this bus hosts."""
        return inbox in self._handlers

    def handler(self, inbox: str) -> Handler:
        """What processes ``inbox`` (a ServiceHost for a service), e.g. to change its latency live."""
        return self._handlers[inbox]

    @property
    def timers(self) -> Any:
        """Where timers are set, in this bus's seconds: the loop itself, or the clock in live mode."""
        return self._loop if self.clock is None else self.clock

    # -- lifecycle ------------------------------------------------------
    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        # The hot path reads the simulated loop's clock directly; a live session's scaled clock is asked.
        self._virtual = isinstance(loop, VirtualTimeLoop) and self.clock is None
        if self._virtual:  # read for every trace entry: the loop's clock without a method call
            self.now = partial(getattr, loop, "_now")  # type: ignore[method-assign]
        else:
            self.__dict__.pop("now", None)
        if self.clock is not None:
            self._clock_now = self.clock.attach(loop).now
        self._idle = asyncio.Event()
        if not self._quieted:
            library_logs.enter(self)
            self._quieted = True
        self.faults.begin(self, self._fault_rng)
        app = self._app = EmbeddedApp(self.name, datadir=EmbeddedApp.DATADIR, loop=loop,
                                      agent_supervisor=WokenSupervisor, Stream=LeanStream)
        self.add_inbox(DEAD_LETTERS, self._park)
        channels: dict[str, list] = {}
        for inbox, handler in self._handlers.items():
            lanes = 1 if inbox == DEAD_LETTERS else self.workers.get(inbox, 1)
            for lane in range(lanes):
                # maxsize=0: unbounded, so a consumer that is down can pile up a backlog
                # without blocking the producers (the lesson of the resilience chapter).
                channel = app.channel(maxsize=0)
                channels.setdefault(inbox, []).append(channel)
                suffix = f"-{lane + 1}" if lanes > 1 else ""
                app.agent(channel, name=f"{inbox}-agent{suffix}")(self._consumer(handler))
            self._declare_hand_written(handler, app)
        await app.start()
        app.flow_control.resume()
        for inbox, lanes in channels.items():
            # The agent reads a clone of its channel; with one agent per channel
            # there is exactly one, and putting straight on its queue skips faust's
            # per-put fan-out loop.
            queues = [agent_queue(channel) for channel in lanes]
            self._queues[inbox] = queues[0] if len(queues) == 1 else Lanes(queues)
            self._puts[inbox] = quick_put(queues[0]) if len(queues) == 1 else self._queues[inbox].put_nowait

    def _declare_hand_written(self, handler: Any, app: faust.App) -> None:
        """Let a handler that forwards to a hand-written agent declare it on ``app`` (see wiring/agents.py)."""
        declare = getattr(handler, "declare_agents", None)
        if declare is None:
            return
        try:
            declare(app)
        except Exception:  # refused before anything started: leave nothing behind
            self._app = None
            raise

    async def stop(self) -> None:
        try:
            if self._app is not None:
                await asyncio.wait_for(self._app.stop(), 10)
                close_consumer_thread_loop(self._app)
                self._app = None
        finally:
            if self._quieted:
                library_logs.leave(self)
                self._quieted = False

    def _consumer(self, handler: Handler) -> Callable:
        async def consume(stream: Any) -> None:
            async for envelope in stream:
                try:
                    await handler(envelope)
                except Exception as exc:  # a bug, not a business failure: stop the run loudly
                    if self.failure is None:
                        self.failure = exc
                    self._idle.set()
                finally:  # _settle, without a call for every message
                    self.pending -= 1
                    if self.pending == 0:
                        self._idle.set()

        return consume

    def _settle(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self._idle.set()

    def hold(self) -> None:
        """Count work that is not a message (a saga waiting on a timer) so :meth:`drained` waits for it."""
        self.pending += 1

    def release(self) -> None:
        """The work a :meth:`hold` stood for is over."""
        self._settle()

    def enqueue(self, inbox: str, envelope: Any) -> None:
        """Put a message a :meth:`hold` counted into ``inbox`` now (a fault plan handing back what it held)."""
        self._queues[inbox].put_nowait(envelope)

    def fail(self, exc: BaseException) -> None:
        """Stop the run loudly from outside a handler (a timer, a callback): :meth:`drained` raises ``exc``."""
        if self.failure is None:
            self.failure = exc
        if self._idle is not None:
            self._idle.set()

    async def drained(self) -> None:
        """Wait until no message is queued, in flight or scheduled for later delivery."""
        while self.pending and self.failure is None:
            self._idle.clear()
            await self._idle.wait()
        if self.failure is not None:
            raise self.failure

    # -- messages -------------------------------------------------------
    def now(self) -> float:
        """Seconds on this bus's clock: the simulated loop's, or a live session's scaled clock."""
        if self._virtual:
            return self._loop._now
        return self._clock_now() if self._clock_now is not None else self._loop.time()

    def message(self, type: str, payload: dict[str, Any], *, sender: str,
                correlation_id: str | None, cause: Envelope | None = None) -> Envelope:
        """A new envelope stamped with the current simulated time and a fresh id."""
        version = self._versions.get(type)
        if version is None:
            version = self.catalog[type].version if type in self.catalog else 1
            if type in self.catalog:  # a contract never changes once declared; an unknown type may be declared later
                self._versions[type] = version
        if cause is not None:  # what cause.caused() builds, without the keyword call on every hop
            return Envelope(type, payload, self.ids.next(), cause.correlation_id, cause.message_id, version,
                            self.now(), sender)
        return Envelope(type, payload, self.ids.next(), correlation_id, None, version, self.now(), sender)

    def routes(self, envelope: Envelope) -> list[str]:
        """Where a message goes: a command to its owner, an event to its subscribers."""
        spec = self.catalog[envelope.type] if envelope.type in self.catalog else None
        if spec is not None and spec.kind == "command":
            return [spec.owner] if spec.owner in self._handlers else []
        return self._subscribers.get(envelope.type, [])

    def publish(self, envelope: Envelope, to: str | None = None) -> None:
        """Send ``envelope`` to ``to`` or, by default, wherever :meth:`routes` says."""
        e = envelope
        if to is not None:
            targets = [to]
            note = {"to": targets}
        else:
            note = self._send_notes.get(e.type)
            if note is None:  # a copy: a subscriber joining later must not appear in what was sent before
                note = self._send_notes[e.type] = {"to": list(self.routes(e))}
            targets = note["to"]
        if self.max_depth is not None and self._too_deep(e):
            self.trace.record(self.now(), "send", e.sender, e.type, e.message_id, e.correlation_id,
                              e.causation_id, {"to": []})
            self.dead_letter(e, f"its causation chain reached {self.max_depth + 1} messages, past the limit of "
                                f"{self.max_depth}; look for events that keep causing each other", at=e.sender)
            return
        self.trace.record(self.now(), "send", e.sender, e.type, e.message_id, e.correlation_id,
                          e.causation_id, note)
        sent = self.work.sent
        count = sent[e.correlation_id] = sent.get(e.correlation_id, 0) + 1
        if not count % CHECK_EVERY:
            self._look_for_cycle(e, count)
        if not targets:
            if e.type not in self.catalog or self.catalog[e.type].kind == "command":
                self.dead_letter(e, self._unroutable(e), at=e.sender)
            return
        if self.faults.touches_delivery:
            for inbox in targets:
                self._route(e, inbox)
            return
        puts = self._puts
        for inbox in targets:  # _route without faults, on the path every message takes
            put = puts.get(inbox)
            if put is None:
                self.dead_letter(e, f"no inbox called '{inbox}'", at=e.sender)
            else:
                self.pending += 1
                put(e)

    def _too_deep(self, e: Envelope) -> bool:
        # Only computed when a limit is set, so the hot path pays nothing by default.
        depth = self._depths.setdefault(e.message_id, self._depths.get(e.causation_id, 0) + 1)
        return depth > self.max_depth

    def _look_for_cycle(self, e: Envelope, count: int) -> None:
        try:
            self.work.look(e.correlation_id, count, self.now(), self.trace, e.message_id)
        except Exception as stuck:
            self.fail(stuck)  # also when the sender catches what publish raises
            raise

    def publish_checked(self, envelope: Envelope) -> None:
        """Publish what a service produced, once its payload keeps its type's contract.

        A producer that breaks a contract must not reach the consumers (as a
        schema-registry serializer refuses a record): the message is
        dead-lettered where it was produced, with the reason. One dict lookup
        and a pass over the declared fields per message.
        """
        problem = self.catalog.contract_problem(envelope.type, envelope.payload)
        if problem is not None:
            self.dead_letter(envelope, f"{envelope.type} from {envelope.sender} breaks its contract: {problem}",
                             at=envelope.sender)
            return
        self.publish(envelope)

    def _unroutable(self, e: Envelope) -> str:
        if e.type not in self.catalog:
            close = self.catalog.closest(e.type)
            return f"unknown message type '{e.type}'" + (f" (did you mean '{close}'?)" if close else "")
        return f"no '{self.catalog[e.type].owner}' service runs here to handle '{e.type}'"

    def _route(self, envelope: Envelope, inbox: str) -> None:
        if inbox not in self._queues:
            self.dead_letter(envelope, f"no inbox called '{inbox}'", at=envelope.sender)
            return
        if not self.faults.touches_delivery:
            self.pending += 1
            self._queues[inbox].put_nowait(envelope)
            return
        for delay in self.faults.deliveries(envelope, inbox, self):
            self.pending += 1
            if delay:
                self.timers.call_later(delay, self._queues[inbox].put_nowait, envelope)
            else:
                self._queues[inbox].put_nowait(envelope)

    def redeliver(self, envelope: Envelope, inbox: str, delay: float) -> None:
        """Put an unacknowledged message back in ``inbox`` after ``delay`` seconds (at-least-once)."""
        e = envelope
        self.trace.record(self.now(), "redeliver", inbox, e.type, e.message_id, e.correlation_id,
                          e.causation_id, {"after": delay})
        self.pending += 1
        self.timers.call_later(delay, self._queues[inbox].put_nowait, envelope)

    def dead_letter(self, envelope: Envelope, reason: str, *, at: str) -> None:
        """Park a message on the dead-letter channel with the reason it failed; nothing is lost."""
        self.pending += 1
        self._queues[DEAD_LETTERS].put_nowait(DeadLetter(envelope, reason, at))

    async def _park(self, letter: DeadLetter) -> None:
        e = letter.envelope
        self.trace.record(self.now(), "dead_letter", DEAD_LETTERS, e.type, e.message_id,
                          e.correlation_id, e.causation_id, {"reason": letter.reason, "from": letter.at})
        self.dead_letters.append(letter)

    def deliver(self, envelope: Envelope, inbox: str) -> None:
        """Record that ``inbox`` took ``envelope`` from its queue."""
        e = envelope
        self.trace.record(self.now(), "deliver", inbox, e.type, e.message_id, e.correlation_id, e.causation_id)
