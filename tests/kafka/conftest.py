"""Fixtures for Kafka mode: one tansu broker for the session, a fresh namespace per test, worker processes."""

import gc
import itertools
import os

import pytest

from playground.kafka.tansu import TansuBroker, TansuMissing, tansu_binary
from playground.kafka.topics import Topology
from playground.workers.kafka import ServiceProcess

_namespaces = itertools.count(1)


@pytest.fixture(scope="session")
def broker():
    """A tansu broker on a free loopback port, stopped when the session ends."""
    try:
        tansu_binary()
    except TansuMissing as exc:
        pytest.skip(str(exc))
    with TansuBroker() as running:
        yield running


@pytest.fixture(autouse=True)
def _leftovers_belong_to_their_test():
    """Collect garbage as each Kafka test ends: a connection it left open warns (an error here) against it,
    not against whichever test happens to run next in this process."""
    yield
    gc.collect()


@pytest.fixture
def topology():
    """Topics and groups of their own for each test, so tests sharing the broker never meet."""
    return Topology(prefix=f"t{os.getpid()}-{next(_namespaces)}", partitions=4)


@pytest.fixture
def workers(broker, topology, tmp_path):
    """Start ``playground serve`` processes in this test's namespace; all are stopped afterwards."""
    started: list[ServiceProcess] = []

    def start(*services: str, trace: str | None = None) -> ServiceProcess:
        worker = ServiceProcess(services, broker.url, prefix=topology.prefix, partitions=topology.partitions,
                                state_dir=str(tmp_path / "state"),
                                trace_file=str(tmp_path / trace) if trace else None).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop(grace=10)

