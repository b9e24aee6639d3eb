"""faust-streaming internals the playground relies on (tested with faust-streaming 0.15.3), and nothing else.

Each function or class below names the private attribute it touches and why;
``tests/compat/test_faust.py`` fails in one sentence naming the installed
version if a release moves one of them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust
# Relies on: faust.app.base.BootStrategy (not exported from faust) and its enable_kafka, enable_web and
# enable_sensors class flags, which App reads when it builds its services at start.
from faust.app.base import BootStrategy

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


def agent_queue(channel: faust.ChannelT) -> asyncio.Queue:
    """The queue the one agent reading ``channel`` takes from, so a put skips faust's per-put fan-out.

    Relies on: ``Channel._subscribers`` (the clones that agents iterate, one per
    agent) and a clone's ``queue`` attribute.
    """
    (reader,) = list(channel._subscribers)
    return reader.queue


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
