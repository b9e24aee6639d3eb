"""Choosing a broker, checking that it answers, and creating the topics a namespace needs.

The in-memory channels are the default; Kafka mode is chosen with a
``kafka://host:port`` URL, given on the command line (``--broker``), in
Python, or in the ``PLAYGROUND_BROKER`` environment variable.

>>> broker_address("kafka://127.0.0.1:9092")
'127.0.0.1:9092'
>>> broker_address("localhost")
'localhost:9092'
>>> broker_address("http://example:1")
Traceback (most recent call last):
...
playground.kafka.broker.BrokerError: The broker 'http://example:1' should look like kafka://host:port, for example kafka://127.0.0.1:9092.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket

from playground.errors import PlaygroundError
from playground.kafka.topics import Topology

#: The environment variable that switches a wiring to Kafka when no broker is given.
BROKER_ENV = "PLAYGROUND_BROKER"

_URL = re.compile(r"^(?:kafka://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(?::(?P<port>\d{1,5}))?/?$")


class BrokerError(PlaygroundError):
    """The broker address is wrong, or the broker cannot be reached or used."""


def broker_address(url: str) -> str:
    """``host:port`` from ``kafka://host:port`` (the port defaults to 9092)."""
    match = _URL.match(url.strip()) if isinstance(url, str) else None
    if match is None or not 0 < int(match["port"] or 9092) < 65536:
        raise BrokerError(f"The broker {url!r} should look like kafka://host:port, for example kafka://127.0.0.1:9092.")
    return f"{match['host']}:{match['port'] or 9092}"


def broker_url(given: str | None = None) -> str | None:
    """The broker to use: ``given``, else ``$PLAYGROUND_BROKER``, else None (in-memory channels)."""
    url = given or os.environ.get(BROKER_ENV) or None
    return f"kafka://{broker_address(url)}" if url else None


def _unreachable(address: str, why: str) -> BrokerError:
    return BrokerError(
        f"No Kafka broker answers at {address} ({why}); check that the broker is running and listening there, "
        f"and that --broker or {BROKER_ENV} names the right host and port.")


def _why(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    return type(exc).__name__


async def check_broker(url: str, timeout: float = 10.0) -> str:
    """Raise :class:`BrokerError` in about ``timeout`` seconds if nothing speaks Kafka at ``url``.

    Opens a TCP connection first (fails fast when nothing listens), then asks
    for cluster metadata (fails when something listens but is not Kafka).
    """
    address = broker_address(url)
    host, _, port = address.rpartition(":")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), timeout)
    except (OSError, asyncio.TimeoutError) as exc:
        raise _unreachable(address, _why(exc, timeout)) from None
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=address, request_timeout_ms=int(timeout * 1000))
    quiet = logging.getLogger("aiokafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # our one sentence replaces aiokafka's own error lines
    try:
        await asyncio.wait_for(admin.start(), timeout)
    except Exception as exc:  # aiokafka raises several unrelated types here
        why = _why(exc, timeout) if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
        raise _unreachable(address, f"something listens there but does not answer as Kafka: {why}") from None
    finally:
        await admin.close()
        quiet.setLevel(level)
    return address


async def ensure_topics(url: str, topology: Topology, timeout: float = 10.0) -> list[str]:
    """Create every topic of ``topology`` with its partition count; returns the ones created now.

    Topics must exist with the right count before any consumer or producer
    touches them: a broker that auto-creates topics picks its own count.
    """
    return await create_topics(url, topology.topics(), topology.partitions, timeout)


async def create_topics(url: str, topics: list[str], partitions: int, timeout: float = 10.0,
                        configs: dict[str, str] | None = None) -> list[str]:
    """Create the ``topics`` that are missing, each with ``partitions`` (and topic ``configs``); refuse
    existing ones with another count."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import KafkaError

    address = broker_address(url)
    admin = AIOKafkaAdminClient(bootstrap_servers=address, request_timeout_ms=int(timeout * 1000))
    await admin.start()
    try:
        for attempt in range(1, 4):
            try:
                existing = set(await admin.list_topics())
                missing = [t for t in topics if t not in existing]
                if not missing:
                    break
                response = await admin.create_topics(
                    [NewTopic(t, partitions, 1, topic_configs=configs or {}) for t in missing], timeout_ms=int(timeout * 1000))
                break
            except KafkaError as exc:  # a room starting at once keeps the broker busy: look again, then retry
                if not exc.retriable:
                    raise
                await asyncio.sleep(attempt)
                if attempt == 3:
                    raise BrokerError(f"The broker at {address} did not create this run's topics within "
                                      f"{3 * timeout:g} s; it is overloaded or stuck, so try again in a moment.") from None
        if missing:
            # 36 = TOPIC_ALREADY_EXISTS: another process created it first, which is fine.
            failed = [(t, code, msg) for t, code, msg in response.topic_errors if code not in (0, 36)]
            if failed:
                topic, code, msg = failed[0]
                raise BrokerError(f"The broker at {address} refused to create topic {topic} (error {code}: {msg}); "
                                  "check that it allows topic creation.")
        wrong = await _partition_counts(admin, [t for t in topics if t in existing], partitions)
        if wrong:
            topic, count = wrong[0]
            raise BrokerError(f"Topic {topic} exists with {count} partitions, not {partitions}; "
                              "use another --prefix or delete the old topics.")
        return missing
    finally:
        await admin.close()


async def _partition_counts(admin, topics: list[str], expected: int) -> list[tuple[str, int]]:
    if not topics:
        return []
    described = await admin.describe_topics(topics)
    return [(d["topic"], len(d["partitions"])) for d in described if len(d["partitions"]) != expected]


async def cluster_id(url: str, timeout: float = 3.0) -> str:
    """The id of the cluster answering at ``url`` (a broker restarted with empty storage may get a new one)."""
    from aiokafka.admin import AIOKafkaAdminClient

    address = broker_address(url)
    admin = AIOKafkaAdminClient(bootstrap_servers=address, request_timeout_ms=int(timeout * 1000))
    await asyncio.wait_for(admin.start(), timeout)
    try:
        described = await asyncio.wait_for(admin.describe_cluster(), timeout)
        return str(described["cluster_id"])
    finally:
        await admin.close()


async def lost_topics(url: str, topology: Topology, timeout: float = 3.0) -> list[str]:
    """This namespace's topics the broker no longer has (all of them after a restart with empty storage)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=broker_address(url), request_timeout_ms=int(timeout * 1000))
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = set(await asyncio.wait_for(admin.list_topics(), timeout))
    finally:
        await admin.close()
    return [t for t in topology.topics() if t not in existing]
