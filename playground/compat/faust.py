"""faust-streaming internals the playground relies on (tested with faust-streaming 0.15.3), and nothing else.

Each function or class below names the private attribute it touches and why;
``tests/compat/test_faust.py`` fails in one sentence naming the installed
version if a release moves one of them.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from typing import Any, AsyncIterator, Callable, ClassVar
from uuid import uuid4

import faust
from faust.types import ChannelT, EventT, TopicT
# Relies on: faust.streams._current_event, the context variable faust.current_event() reads.
from faust.streams import _current_event
from mode.utils.queues import ThrowableQueue
# Relies on: faust.app.base.BootStrategy (not exported from faust) and its enable_kafka, enable_web and
# enable_sensors class flags, which App reads when it builds its services at start.
from faust.app.base import BootStrategy
# Relies on: faust's aiokafka driver classes, Consumer._new_consumer_thread and
# AIOKafkaConsumerThread._create_worker_consumer and seek_to_committed, App._new_transport (see WorkerApp).
from faust.transport.drivers import aiokafka as aiokafka_driver

from playground.compat.aio import one_turn

TESTED = "0.15.3"


class NoKafkaBoot(BootStrategy):
    """Start an app without Kafka, a web server or sensors: agents on in-memory channels only."""

    enable_kafka = False
    enable_web = False
    enable_sensors = False


class KafkaOnlyBoot(BootStrategy):
    """Start an app with Kafka but without a web server or sensors."""

    enable_web = False
    enable_sensors = False


class OncePerProcessApp(faust.App):
    """A faust app that does not redo, at every run, start-up work whose result cannot differ between runs.

    * **Settings.** faust builds an app's ``Settings`` anew for every app: some
      140 settings, each checked and defaulted (about a millisecond, a run's
      largest single start-up cost after the services). Here they are built
      once per process for the same options and the same environment, then copied for each app, with the
      app's own id and a fresh reply-topic name as faust would give it.
    * **Folders.** At its first start faust makes its data, app and table
      folders. Tables kept in memory (faust's default store, the only one an
      app without Kafka is given) write nothing there, so with that store no
      folder is made and no temporary one is needed.

    Relies on: ``App._default_options`` (the id and options given to ``App()``),
    ``App._config_source``, ``App._load_settings`` and ``App._create_directories``
    (called by ``on_first_start``); ``Settings._prepare_id`` and a settings object keeping its
    values in its ``__dict__`` (``_name``, ``_id``, ``_reply_to``, ``_reply_to_prefix`` and
    ``_accessed``, the names read so far, which faust uses to warn about a
    change after a read).
    """

    _built: ClassVar[dict] = {}
    KEEP = 16  # sets of settings kept at most (a process seldom builds apps with more than a few sets of options)

    def _load_settings(self, *, silent: bool = False) -> Any:
        appid, options = self._default_options
        if self._config_source or "reply_to" in options or "id" in options:
            return super()._load_settings(silent=silent)
        settings_type = self.Settings
        try:  # faust reads its settings' environment variables (under a prefix it may read there too)
            key = (settings_type, tuple(sorted(options.items())), frozenset(os.environ.items()))
            built = self._built.get(key)
        except TypeError:  # an option that cannot be a key (a dict, a list): built anew, as faust does
            return super()._load_settings(silent=silent)
        if built is None:
            if len(self._built) >= self.KEEP:
                self._built.clear()
            built = self._built[key] = super()._load_settings(silent=silent)
        conf = object.__new__(settings_type)
        values = conf.__dict__
        for name, value in built.__dict__.items():  # containers copied, so no app changes another's
            values[name] = value.copy() if isinstance(value, (list, dict, set)) else value
        values["_accessed"] = set()
        values["_name"], values["_id"] = appid, conf._prepare_id(appid)
        values["_reply_to"] = f"{values['_reply_to_prefix']}{uuid4()}"
        return conf

    def _create_directories(self) -> None:
        if self.conf.store.scheme != "memory":
            super()._create_directories()


def agent_queue(channel: faust.ChannelT) -> asyncio.Queue:
    """The queue the one agent reading ``channel`` takes from, so a put skips faust's per-put fan-out.

    Relies on: ``Channel._subscribers`` (the clones that agents iterate, one per
    agent) and a clone's ``queue`` attribute.
    """
    (reader,) = list(channel._subscribers)
    return reader.queue


def quick_put(queue: asyncio.Queue) -> Callable[[Any], None]:
    """``queue.put_nowait`` for the unbounded queue an agent reads, in one call instead of five.

    Puts the value at the end and wakes the first waiting getter, as
    ``asyncio.Queue.put_nowait`` does, so consumers wake in the same order at
    the same loop turn. It skips the ``task_done``/``join`` count, which
    neither faust nor the playground uses on these queues. Any other queue
    (bounded, or not mode's ``ThrowableQueue``) gets its own ``put_nowait``.
    Relies on: ``asyncio.Queue._queue`` (a deque) and ``_getters`` (the
    futures of waiting getters, oldest first).
    """
    if type(queue) is not ThrowableQueue or queue.maxsize > 0:
        return queue.put_nowait
    items, getters = queue._queue, queue._getters  # type: ignore[attr-defined]

    def put(value: Any) -> None:
        items.append(value)
        while getters:
            waiter = getters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    return put


def close_consumer_thread_loop(app: faust.App) -> None:
    """Close the event loop faust builds for a Kafka consumer thread even when Kafka is off.

    faust's ``on_start`` touches ``app.consumer``, whose thread object creates
    a loop it never closes; left alone, every run leaks one loop and two sockets.
    Relies on: ``App._consumer`` (the consumer, once created), its ``_thread``
    and the thread's ``thread_loop``. Missing attributes are tolerated: then
    there is nothing to close.
    """
    thread = getattr(getattr(app, "_consumer", None), "_thread", None)
    loop: Any = getattr(thread, "thread_loop", None)
    if loop is not None and not loop.is_running() and not loop.is_closed():
        loop.close()


class LeanStream(faust.Stream):
    """faust's ``Stream`` with a shorter way from a channel to the agent, for apps without Kafka.

    Given to the embedded app through faust's documented ``Stream=`` setting,
    so agents, actors and supervisors stay faust's own. For a stream over an
    in-memory channel with no processors and no join, it yields each value
    after the same awaits as faust's iterator — one ``sleep(0)`` turn, then
    the queue's ``get_nowait`` or ``channel.__anext__`` — so every event is
    handled at the same loop turn as before, but without the sensor, acking
    and processor bookkeeping a channel never needs. Anything else (a topic,
    processors, a join) takes faust's own iterator.

    Relies on: ``Stream._active_agens`` (iterators ``on_stop`` closes),
    ``_finalized``, ``maybe_start()``, ``should_stop``, ``_processors``,
    ``join_strategy``, ``_channel_stop_iteration(channel)``, ``stop()`` and
    ``service_reset()`` as ``Stream._py_aiter`` uses them; the channel's
    ``queue`` (``get_nowait``, ``_errors``, and for the wait on an empty queue that
    ``Channel.__anext__``, mode's ``ThrowableQueue.get``/``FlowControlQueue.get`` and
    ``asyncio.Queue.get`` would do: ``_queue``, ``_getters``, ``_wakeup_next``,
    ``_pending_pressure_drop_callbacks``; and, on an unbounded queue with no
    pressure-drop callback pending, ``get_nowait`` taking the first of ``_queue``
    and waking no putter); ``current_event`` and
    the ``_current_event`` context variable for an event sent on a channel.
    Channels are never acknowledged and the embedded app has no sensors, so
    neither is called.
    """

    def __aiter__(self) -> AsyncIterator:
        channel = self.channel
        if (not isinstance(channel, ChannelT) or isinstance(channel, TopicT) or self._processors
                or self.join_strategy is not None):
            return super().__aiter__()
        it = self._lean_aiter(channel)
        self._active_agens.add(it)
        return it

    async def _lean_aiter(self, channel: Any) -> AsyncIterator:
        self._finalized = True
        started_by_aiter = await self.maybe_start()
        queue = channel.queue
        items, errors, getters = queue._queue, queue._errors, queue._getters
        pressure = queue._pending_pressure_drop_callbacks
        plain = type(channel).__anext__ is faust.Channel.__anext__ and type(queue).get is ThrowableQueue.get
        # Unbounded, no putter ever waits; with no pressure-drop callback pending either, get_nowait
        # (ThrowableQueue → FlowControlQueue → asyncio.Queue, four frames) comes down to a popleft.
        direct = plain and type(queue).get_nowait is ThrowableQueue.get_nowait and queue.maxsize <= 0
        quick_get, slow_get = queue.get_nowait, channel.__anext__
        future, evented = asyncio.get_running_loop().create_future, False
        try:
            while not self.should_stop:
                value: Any = None
                while value is None:
                    await one_turn()  # faust's own sleep(0) before every value: kept, so timings stay as they were
                    if errors:
                        raise errors.popleft()
                    if items:
                        value = items.popleft() if direct and not pressure else quick_get()
                    elif plain and not pressure:
                        # What channel.__anext__ → ThrowableQueue.get → asyncio.Queue.get do when the
                        # queue is empty and unbounded (one waiter on the getters, woken by a put or a
                        # throw), without their four frames; the same loop turns, so the same timings.
                        while not items and not errors:
                            waiter = future()
                            getters.append(waiter)
                            try:
                                await waiter
                            except BaseException:
                                waiter.cancel()
                                try:
                                    getters.remove(waiter)
                                except ValueError:
                                    pass
                                if items and not waiter.cancelled():
                                    queue._wakeup_next(getters)
                                raise
                        if errors:
                            raise errors.popleft()
                        value = items.popleft() if direct and not pressure else quick_get()
                    else:
                        value = await slow_get()
                    if isinstance(value, EventT):  # sent with channel.send(): yield its value, as faust does
                        self.current_event = value
                        _current_event.set(weakref.ref(value))
                        evented, value = True, value.value
                        if value is None:
                            break
                    elif evented:  # faust's reference to the last event is dead by now: current_event() is None
                        _current_event.set(None)
                        evented = False
                self.events_total += 1
                try:
                    yield value
                finally:
                    self.current_event = None
        except StopAsyncIteration:
            return
        finally:
            self._channel_stop_iteration(channel)
            if started_by_aiter:
                await self.stop()
                self.service_reset()


#: How long a worker's fetch waits at the broker for records; faust hard-codes 1,500 ms.
FETCH_MAX_WAIT_MS = 100


async def seek_to_committed_or_reset(consumer: Any, reset: str) -> dict[Any, int | None]:
    """Put every assigned partition of aiokafka ``consumer`` back where its group committed, as faust means to.

    faust drops records it fetched but did not deliver during a rebalance
    (``Consumer.getmany`` stops at a flow stop or a new generation,
    ``flow_control.resume()`` clears the agents' queues) and relies on
    ``perform_seek`` to read them again from the committed offsets. aiokafka's
    ``seek_to_committed`` seeks only partitions with a committed offset above
    0, so a partition its group never committed in (a worker killed before
    its first commit) kept its position past the dropped records, and they
    were never read: at most once. Here a committed 0 is sought to 0, and a
    partition without a committed offset is reset as a new one would be
    (``reset``: ``"earliest"`` or ``"latest"``). Returns the committed offsets,
    as ``seek_to_committed`` does.

    Relies on aiokafka's public ``seek_to_committed``, ``seek``,
    ``seek_to_beginning`` and ``seek_to_end``, and on ``seek_to_committed``
    seeking only when ``offset > 0`` (a canary checks it does not by itself).
    """
    committed = await consumer.seek_to_committed()
    unset = []
    for tp, offset in committed.items():
        if offset == 0:
            consumer.seek(tp, 0)
        elif offset is None or offset < 0:
            unset.append(tp)
    if unset:
        await (consumer.seek_to_end if reset == "latest" else consumer.seek_to_beginning)(*unset)
    return committed


class _WorkerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read once, when the consumer starts its fetcher
        return consumer

    async def seek_to_committed(self) -> Any:
        return await self.call_thread(self._seek_to_committed)

    async def _seek_to_committed(self) -> Any:
        return await seek_to_committed_or_reset(self._ensure_consumer(), self.app.conf.consumer_auto_offset_reset)


class _WorkerConsumer(aiokafka_driver.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _WorkerThread(self, loop=self.loop, beacon=self.beacon)


class WorkerTransport(aiokafka_driver.Transport):
    """faust's Kafka transport, with consumers that seek back safely after a rebalance and fetch quickly.

    * Seeking to the committed offsets (faust's ``perform_seek``, after every
      rebalance) also moves partitions that never had an offset committed:
      see :func:`seek_to_committed_or_reset`.
    * A fetch waits at most ``FETCH_MAX_WAIT_MS`` at the broker. faust builds
      its worker consumer with ``fetch_max_wait_ms=1500`` and no setting to
      change it; a broker that holds an empty fetch for the whole wait (tansu
      does, even when records arrive meanwhile) then adds up to 1.5 s to
      every hop of a flow.

    Relies on: the driver's ``Consumer``, ``AIOKafkaConsumerThread`` and
    ``Transport``; ``Consumer._new_consumer_thread`` (how a consumer makes its
    thread), ``_create_worker_consumer`` (where the thread builds the aiokafka
    consumer), ``AIOKafkaConsumerThread.seek_to_committed`` (what
    ``perform_seek`` awaits), ``call_thread``, ``_ensure_consumer`` and ``app``;
    aiokafka's ``AIOKafkaConsumer._fetch_max_wait_ms``, which ``start()``
    hands to its fetcher.
    """

    Consumer = _WorkerConsumer


class WorkerApp(faust.App):
    """A faust app whose consumer transport is :class:`WorkerTransport`.

    Relies on: ``App._new_transport()``, which builds the consumer transport
    from ``conf.broker_consumer`` the first time ``app.transport`` is read.
    """

    def _new_transport(self) -> Any:
        return WorkerTransport(self.conf.broker_consumer, self)
