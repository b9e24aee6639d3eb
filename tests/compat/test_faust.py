"""Canaries for the faust-streaming internals in playground/compat/faust.py: each fails in one sentence naming the release."""

import asyncio
import os
import tempfile
from importlib.metadata import version

import faust

from playground.compat.faust import (FETCH_MAX_WAIT_MS, TESTED, LeanStream, NoKafkaBoot, OncePerProcessApp,
                                     WorkerApp, WorkerTransport, agent_queue, close_consumer_thread_loop, quick_put)
from playground.runtime.clock import run_simulated

INSTALLED = version("faust-streaming")


def broke(what: str) -> str:
    return (f"faust-streaming {INSTALLED} changed {what}, which playground/compat/faust.py relies on "
            f"(tested with {TESTED}); pin faust-streaming=={TESTED} or mend the fence.")


class _App(faust.App):
    BootStrategy = NoKafkaBoot


def _with_started_app(body):
    """Start an app without Kafka on simulated time, run ``body(app, channel, received)``, stop it."""
    async def main():
        with tempfile.TemporaryDirectory() as datadir:
            app = _App("canary", datadir=datadir, loop=asyncio.get_running_loop())
            channel = app.channel(maxsize=0)
            received = []

            async def agent(stream):
                async for value in stream:
                    received.append(value)

            app.agent(channel, name="canary-agent")(agent)
            await app.start()
            app.flow_control.resume()
            try:
                return await body(app, channel, received)
            finally:
                await asyncio.wait_for(app.stop(), 10)
                close_consumer_thread_loop(app)

    return run_simulated(main, horizon=60)


def test_boot_strategy_flags_still_switch_kafka_web_and_sensors_off():
    for flag in ("enable_kafka", "enable_web", "enable_sensors"):
        assert hasattr(faust.app.base.BootStrategy, flag), broke(f"BootStrategy.{flag}")

    async def started(app, channel, received):
        return app.started

    # Without a broker, an app that still tried Kafka would not start within the simulated minute.
    assert _with_started_app(started) is True, broke("BootStrategy.enable_kafka")


def test_an_agents_queue_is_found_from_its_channel_and_a_put_reaches_the_agent():
    async def put_and_read(app, channel, received):
        try:
            queue = agent_queue(channel)
        except (AttributeError, ValueError) as exc:
            raise AssertionError(broke(f"Channel._subscribers or a clone's queue ({exc})")) from None
        queue.put_nowait("hello")
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.01)
        return received

    assert _with_started_app(put_and_read) == ["hello"], broke("how a clone's queue feeds its agent")


def _put_turns(put_of):
    """Values put on an agent's queue while it waits, and again while it is busy: what it had at each turn."""
    async def body(app, channel, received):
        queue = agent_queue(channel)
        put, log = put_of(queue), []
        await asyncio.sleep(1)  # the agent now waits on its empty queue
        for value in (1, 2):
            put(value)
        for turn in range(4):
            log.append((turn, list(received)))
            await asyncio.sleep(0)
        put(3)
        for turn in range(4, 8):
            log.append((turn, list(received)))
            await asyncio.sleep(0)
        return log, len(queue._getters)

    return _with_started_app(body)


def test_a_quick_put_reaches_the_agent_at_the_same_turn_as_put_nowait():
    stock, quick = _put_turns(lambda queue: queue.put_nowait), _put_turns(quick_put)
    assert stock[0][-1] == (7, [1, 2, 3]) and stock[1] == 1, "the comparison needs the agent to wait and wake"
    assert quick == stock, broke("asyncio.Queue._queue or ._getters (a quick put wakes the agent at another turn)")


def test_the_idle_consumer_threads_loop_is_found_and_closed():
    async def consumer_loop(app, channel, received):
        thread = getattr(getattr(app, "_consumer", None), "_thread", None)
        return getattr(thread, "thread_loop", None)

    loop = _with_started_app(consumer_loop)
    assert loop is not None, broke("App._consumer._thread.thread_loop (no loop found to close)")
    assert loop.is_closed(), broke("the consumer thread's loop (close_consumer_thread_loop left it open)")


def _chain(stream_cls):
    """Two agents in a chain beside a coroutine that only yields: who ran at which turn, and what arrived."""
    async def main():
        with tempfile.TemporaryDirectory() as datadir:
            app = _App("canary", datadir=datadir, loop=asyncio.get_running_loop(), Stream=stream_cls)
            first, second, log = app.channel(maxsize=0), app.channel(maxsize=0), []

            async def hop(stream):
                async for value in stream:
                    log.append(("hop", value))
                    await second.put(value + 1)

            async def last(stream):
                async for value in stream:
                    event = faust.current_event()
                    log.append(("last", value, None if event is None else event.value))

            app.agent(first, name="hop")(hop)
            app.agent(second, name="last")(last)
            await app.start()
            app.flow_control.resume()
            try:
                for value in (1, 10, 20):
                    await first.put(value)
                await second.send(value=100)  # an event, not a plain value
                for turn in range(30):
                    log.append(("turn", turn))
                    await asyncio.sleep(0)
                return log
            finally:
                await asyncio.wait_for(app.stop(), 10)
                close_consumer_thread_loop(app)

    return run_simulated(main, horizon=60)


def test_the_lean_stream_delivers_at_the_same_turns_as_fausts_own():
    for name in ("_channel_stop_iteration", "maybe_start", "service_reset", "on_merge"):
        assert hasattr(faust.Stream, name), broke(f"Stream.{name}")
    stock, lean = _chain(faust.Stream), _chain(LeanStream)
    assert ("last", 100, 100) in stock and ("last", 2, None) in stock
    assert lean == stock, broke("how Stream.__aiter__ reads a channel (the lean stream's turns differ)")


def _with_worker_app(body):
    """Build a worker app's consumer (its broker is never reached), run ``body(app)``, close what faust opened."""
    async def main():
        with tempfile.TemporaryDirectory() as datadir:
            app = WorkerApp("canary", broker="kafka://127.0.0.1:9", datadir=datadir, loop=asyncio.get_running_loop())
            transport = app.transport
            assert isinstance(transport, WorkerTransport), broke("App._new_transport (the transport is "
                                                                 f"{type(transport).__name__})")
            try:
                return await body(app)
            finally:
                close_consumer_thread_loop(app)

    return asyncio.run(main())


def test_a_worker_apps_consumer_waits_at_most_the_fences_fetch_time():
    async def body(app):
        thread = app.consumer._new_consumer_thread()
        consumer = thread._create_worker_consumer(app.transport)
        try:
            return consumer._fetch_max_wait_ms
        finally:
            await consumer.stop()
            thread.thread_loop.close()

    waits = _with_worker_app(body)
    assert waits == FETCH_MAX_WAIT_MS, broke(f"the worker consumer's fetch wait (it is {waits} ms)")


def test_a_rebalances_seek_back_goes_through_the_worker_threads_seek_to_committed():
    from faust.types import TP

    tp = TP("canary", 0)

    async def body(app):
        consumer, asked = app.consumer, []

        async def seek_to_committed():
            asked.append(True)
            return {tp: None}

        consumer._thread.seek_to_committed = seek_to_committed
        await consumer.perform_seek()  # what faust awaits after a rebalance (and when a fetch meets a stopped flow)
        return asked, consumer._read_offset[tp]

    asked, read = _with_worker_app(body)
    assert asked == [True] and read is None, broke("Consumer.perform_seek (it no longer asks the consumer thread's "
                                                   "seek_to_committed, where the fence rewinds uncommitted partitions)")


def _thrown_while_waiting(stream_cls):
    """An agent waiting on an empty channel, then a value, then an error thrown into the channel: what it saw."""
    async def main():
        with tempfile.TemporaryDirectory() as datadir:
            app = _App("canary", datadir=datadir, loop=asyncio.get_running_loop(), Stream=stream_cls)
            channel, log = app.channel(maxsize=0), []

            async def reader(stream):
                try:
                    async for value in stream:
                        log.append(("value", value))
                except KeyError as exc:
                    log.append(("thrown", str(exc)))

            app.agent(channel, name="reader")(reader)
            await app.start()
            app.flow_control.resume()
            try:
                queue = agent_queue(channel)
                await asyncio.sleep(1)
                waiting = len(queue._getters)
                queue.put_nowait(7)
                await asyncio.sleep(1)
                queue._throw(KeyError("boom"))  # how faust fails the reader of a channel (Channel._throw)
                await asyncio.sleep(1)
                return waiting, log
            finally:
                await asyncio.wait_for(app.stop(), 10)
                close_consumer_thread_loop(app)

    return run_simulated(main, horizon=60)


def test_the_lean_streams_wait_on_an_empty_queue_is_the_queues_own():
    from mode.utils.queues import ThrowableQueue
    for name in ("_queue", "_getters", "_errors", "_pending_pressure_drop_callbacks", "_wakeup_next"):
        assert hasattr(ThrowableQueue(flow_control=None), name), broke(f"mode's ThrowableQueue.{name}")
    stock, lean = _thrown_while_waiting(faust.Stream), _thrown_while_waiting(LeanStream)
    assert stock == (1, [("value", 7), ("thrown", "'boom'")]), broke("how a channel's reader waits and is thrown at")
    assert lean == stock, broke("how a channel's reader waits on an empty queue (the lean stream's wait differs)")


class _Once(OncePerProcessApp):
    BootStrategy = NoKafkaBoot


def _settings(conf) -> dict:
    """Every setting but the reply topic's random name (and those faust only keeps to warn about when read)."""
    return {name: getattr(conf, name) for name, param in type(conf).SETTINGS.items()
            if name != "reply_to" and not param.version_deprecated}


def test_settings_copied_once_per_process_equal_fausts_own_with_each_apps_id():
    options = {"datadir": "/nowhere", "topic_partitions": 3}
    stock = faust.App("canary-1", **options).conf
    first, second = _Once("canary-1", **options).conf, _Once("canary-2", **options).conf
    assert first is not second and type(first) is type(stock)
    assert _settings(first) == _settings(stock), broke("how App builds its Settings (App._load_settings)")
    assert (first.id, first.name, second.id, second.name) == ("canary-1", "canary-1", "canary-2", "canary-2"), \
        broke("where Settings keep an app's id (_id, _name, _prepare_id)")
    assert _settings(second) == _settings(first)
    assert first.reply_to.startswith(first.reply_to_prefix) and first.reply_to != second.reply_to, \
        broke("where Settings keep the reply topic's name (_reply_to)")
    first.loghandlers.append("handler")  # a container in one app's settings is its own
    assert second.loghandlers == [] and _Once("canary-3", **options).conf.loghandlers == []


def test_settings_are_built_anew_for_other_options_or_another_environment(monkeypatch):
    assert _Once("canary", topic_partitions=5).conf.topic_partitions == 5
    monkeypatch.setenv("TOPIC_PARTITIONS", "7")  # faust reads settings from the environment too
    assert _Once("canary", datadir="/nowhere").conf.topic_partitions == 7, broke("how Settings read the environment")


def test_an_app_keeping_tables_in_memory_makes_no_folder_and_another_store_does():
    with tempfile.TemporaryDirectory() as root:
        datadir = os.path.join(root, "data")

        async def main():
            app = _Once("canary", datadir=datadir, loop=asyncio.get_running_loop())
            app.Table("counts", default=int)
            await app.start()
            app.flow_control.resume()
            await asyncio.wait_for(app.stop(), 10)
            close_consumer_thread_loop(app)

        run_simulated(main, horizon=60)
        assert not os.path.exists(datadir), broke("App.on_first_start (it made folders without _create_directories)")
        _Once("canary", datadir=datadir, store="rocksdb://")._create_directories()
        assert os.path.isdir(os.path.join(datadir, "v1", "tables")), broke("App._create_directories")
