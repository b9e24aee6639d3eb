"""Kafka mode in the property net: generated rounds through real worker processes on tansu.

Three ``playground serve`` processes run the choreographed order flow for the
whole module. Hypothesis draws each round: a few orders, then one disturbance
— none, records delivered again (the same envelopes re-published), a worker
stopped and restarted, or a worker killed with SIGKILL (no leave-group, no
offset commit) and started again mid-round. After every round the round's
orders are judged by :func:`playground.testing.cases.verdict`, the same
promises the simulated suite checks (every order ends once, money conserved,
no paid order without its invoice, compensations mirror the forward steps,
effects at most once per business key), on the merged trace files of every
worker that ever ran, plus the effects committed to the services' stores.

One difference from simulated time is handled explicitly: a worker killed
after its handler ran but before its batch was committed has written that
effect to its trace, yet the effect never committed; the redelivered message
runs the handler again. The two trace lines carry the same message id, and
count once (:func:`_committed_view`). Two *different* messages causing the
same effect on one key are still caught.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sqlite3
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from playground.kafka.client import collect, place_orders, publish
from playground.kafka.live_trace import read_traces
from playground.kafka.topics import Topology
from playground.runtime.trace import Trace
from playground.testing.cases import verdict
from playground.workers.kafka import ServiceProcess
from playground.workers.results import live_result

#: The three worker processes, by what they host; a disturbance picks one of them.
GROUPS = (("orders", "invoices"), ("payments",), ("shipping", "email"))
#: Types some service consumes, so a delivered-again copy must be noticed (a "redeliver" trace entry).
CONSUMED = ("PlaceOrder", "OrderPlaced", "InvoiceCreated", "PaymentReceived", "InvoicePaid", "OrderShipped",
            "OrderCompleted")
#: Rounds with records delivered again; kill/restart rounds are an eighth of that (real processes, real time).
EXAMPLES = int(os.environ.get("PLAYGROUND_KAFKA_EXAMPLES", "50"))

_rounds = itertools.count(1)


class Room:
    """The module's workers and where they write; ``restart`` replaces one with a new process."""

    def __init__(self, broker, folder):
        self.broker, self.folder = broker, folder
        self.topology = Topology(prefix=f"props{os.getpid()}", partitions=4)
        self.incarnations = itertools.count(1)
        #: Each trace file's complete lines read so far, and the byte offset to read on from.
        self._read: dict = {}
        #: From the lines read so far: orders whose story is over, and ids of messages noticed as delivered again.
        self.settled: set[str] = set()
        self.redelivered: set[str] = set()
        self.processes = [self._start(group) for group in GROUPS]
        for process in self.processes:
            process.wait_ready(90)

    def _start(self, services):
        trace = self.folder / f"{'-'.join(services)}.{next(self.incarnations)}.jsonl"
        return ServiceProcess(services, self.broker.url, prefix=self.topology.prefix,
                              partitions=self.topology.partitions, state_dir=str(self.folder / "state"),
                              trace_file=str(trace)).start()

    def restart(self, index, *, kill):
        old = self.processes[index]
        old.kill() if kill else old.stop(grace=15)
        self.processes[index] = self._start(old.services).wait_ready(90)

    def read_on(self):
        """Read what the workers appended since the last call (complete lines only) and note what it settles."""
        for path in self.folder.glob("*.jsonl"):
            offset, kept = self._read.setdefault(path, (0, []))
            with path.open("rb") as file:
                file.seek(offset)
                chunk = file.read()
            end = chunk.rfind(b"\n") + 1
            new = chunk[:end].decode().splitlines()
            kept.extend(new)
            self._read[path] = (offset + end, kept)
            for row in map(json.loads, filter(str.strip, new)):
                if (row["kind"] == "end" and row["at"] == "email") or (
                        row["kind"] == "send" and row["type"] == "OrderCancelled"):
                    self.settled.add(row["correlation_id"])
                elif row["kind"] == "redeliver":
                    self.redelivered.add(row["message_id"])
        return self

    def lines(self):
        self.read_on()
        return [line for path in sorted(self._read) for line in self._read[path][1]]

    def output(self):
        return "\n".join(p.output()[-3000:] for p in self.processes)

    def stop(self):
        for process in self.processes:
            process.stop(grace=10)


@pytest.fixture(scope="module")
def room(broker, tmp_path_factory):
    running = Room(broker, tmp_path_factory.mktemp("kafka-properties"))
    yield running
    running.stop()


def _committed_view(trace: Trace) -> Trace:
    """The trace with an effect traced twice for the *same message* kept once (see the module's docstring)."""
    kept, seen = Trace(), set()
    for e in trace.entries:
        if e.kind == "effect":
            mark = (e.at, e.message_id, e.detail.get("effect"), e.detail.get("key"))
            if mark in seen:
                continue
            seen.add(mark)
        kept.record(e.time, e.kind, e.at, e.type, e.message_id, e.correlation_id, e.causation_id, e.detail)
    return kept


def _committed_effects(state):
    """(service, effect, key) → how often the services' stores committed it."""
    counts = Counter()
    for db in state.glob("*.sqlite"):
        with sqlite3.connect(db) as con:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "effects" in tables:
                counts.update((db.stem, effect, key) for effect, key in con.execute("SELECT effect, key FROM effects"))
    return counts


def _settled_on_the_broker(seen) -> set[str]:
    return {r.key for r in seen if r.envelope is not None and r.envelope.type in ("ConfirmationSent", "OrderCancelled")}


def _wait(condition, timeout, what, room):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{room.output()}"
        time.sleep(0.05)  # a look costs a read of the bytes appended since the last one


def rounds(disturbances):
    return st.fixed_dictionaries({
        "orders": st.integers(1, 3),
        "seed": st.integers(0, 10_000),
        "disturbance": st.sampled_from(disturbances),
        "victim": st.integers(0, len(GROUPS) - 1),
        "copies": st.lists(st.sampled_from(CONSUMED), min_size=1, max_size=3),
    })


def _play(room, plan):
    number = next(_rounds)
    note(f"round {number}: {plan}")
    ids = asyncio.run(place_orders(room.broker.url, plan["orders"], topology=room.topology, batch=f"p{number}",
                                   seed=plan["seed"]))
    if plan["disturbance"] in ("kill", "restart"):
        room.restart(plan["victim"], kill=plan["disturbance"] == "kill")
    # Orders whose story is over in the workers' traces: confirmed by email, or cancelled.
    _wait(lambda: room.read_on().settled >= set(ids), 90,
          f"round {number}'s orders to end ({plan['disturbance']})", room)

    if plan["disturbance"] == "again":
        seen = collect(room.broker.url, topology=room.topology, timeout=30,
                       until=lambda seen: _settled_on_the_broker(seen) >= set(ids))
        mine = [r.envelope for r in seen if r.envelope is not None and r.key in ids]
        copies = [next(e for e in mine if e.type == t) for t in plan["copies"] if any(e.type == t for e in mine)]
        asyncio.run(publish(room.broker.url, copies, topology=room.topology))
        wanted = {e.message_id for e in copies}

        _wait(lambda: wanted <= room.read_on().redelivered, 60,
              f"copies {sorted(wanted)} to be noticed as deliveries of handled messages", room)

    result = live_result(_committed_view(read_traces(room.lines())), ids)
    problems = verdict(result)
    assert not problems, f"round {number} ({plan}): {problems[0]}"
    assert set(result.counts()) <= {"completed", "cancelled"}, result.counts()
    repeated = {k: n for k, n in _committed_effects(room.folder / "state").items() if n > 1}
    assert not repeated, f"round {number}: effects committed more than once: {repeated}"


PROPERTIES = dict(deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@settings(max_examples=EXAMPLES, **PROPERTIES)
@given(plan=rounds(["none", "again"]))
def test_rounds_with_records_delivered_again_keep_every_promise(room, plan):
    _play(room, plan)


# A restart costs a rebalance (seconds of real time), so these rounds are fewer: together with the rounds
# above, more than fifty generated examples run on the broker.
@settings(max_examples=max(2, EXAMPLES // 8), **PROPERTIES)
@given(plan=rounds(["kill", "restart"]))
def test_rounds_with_a_worker_killed_or_restarted_mid_round_keep_every_promise(room, plan):
    _play(room, plan)
