"""Broker addresses, the unreachable-broker sentence, and topics created with our partition count."""

import asyncio
import socket
import subprocess
import sys
import threading
import time

import pytest

from playground.kafka.broker import BrokerError, broker_address, broker_url, check_broker, ensure_topics
from playground.kafka.tansu import free_port
from playground.kafka.topics import Topology


@pytest.mark.parametrize("given, address", [
    ("kafka://127.0.0.1:9092", "127.0.0.1:9092"), ("kafka://broker", "broker:9092"),
    ("localhost:19092", "localhost:19092"), ("kafka://[::1]:9092", "[::1]:9092"),
])
def test_broker_addresses(given, address):
    assert broker_address(given) == address


@pytest.mark.parametrize("given", ["http://host:1", "kafka://host:99999", "kafka://", "two words"])
def test_a_wrong_address_gets_one_sentence(given):
    with pytest.raises(BrokerError, match="should look like kafka://host:port"):
        broker_address(given)


def test_in_memory_channels_stay_the_default(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_BROKER", raising=False)
    assert broker_url() is None
    monkeypatch.setenv("PLAYGROUND_BROKER", "localhost")
    assert broker_url() == "kafka://localhost:9092"


def test_serve_against_a_closed_port_says_so_in_one_sentence():
    port = free_port()
    run = subprocess.run([sys.executable, "-m", "playground.cli", "serve", "payments", "--broker",
                          f"kafka://127.0.0.1:{port}"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert f"127.0.0.1:{port}" in line and "connection refused" in line and "check that the broker is running" in line


def test_a_closed_port_is_refused_at_once_not_after_the_checks_timeout():
    # connection refused needs no waiting: the check must not sit out its timeout (here a minute)
    began = time.monotonic()
    with pytest.raises(BrokerError, match="connection refused"):
        asyncio.run(check_broker(f"kafka://127.0.0.1:{free_port()}", timeout=60))
    assert time.monotonic() - began < 30


def test_a_listener_that_never_answers_as_kafka_is_reported_after_the_timeout():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    began = time.monotonic()
    try:
        with pytest.raises(BrokerError) as caught:
            asyncio.run(check_broker(f"kafka://127.0.0.1:{server.getsockname()[1]}", timeout=1.0))
    finally:
        for conn, _ in accepted:
            conn.close()
        server.close()
    assert "does not answer as Kafka" in str(caught.value)
    assert time.monotonic() - began < 5


def test_topics_are_created_with_the_partition_count_we_use(broker):
    from aiokafka.admin import AIOKafkaAdminClient

    topology = Topology(prefix="partitions-check", partitions=3)

    async def main():
        created = await ensure_topics(broker.url, topology)
        again = await ensure_topics(broker.url, topology)
        admin = AIOKafkaAdminClient(bootstrap_servers=broker_address(broker.url))
        await admin.start()
        try:
            described = await admin.describe_topics(topology.topics())
        finally:
            await admin.close()
        return created, again, {d["topic"]: len(d["partitions"]) for d in described}

    created, again, counts = asyncio.run(main())
    assert sorted(created) == topology.topics() and again == []
    assert counts == {topic: 3 for topic in topology.topics()}
    with pytest.raises(BrokerError, match="exists with 3 partitions, not 5"):
        asyncio.run(ensure_topics(broker.url, Topology(prefix="partitions-check", partitions=5)))
