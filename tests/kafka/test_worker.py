"""Services as separate processes on the tansu broker: the whole flow, and a worker killed mid-stream."""

import asyncio
import os
import sqlite3
import threading
import time
from collections import Counter

import pytest

from playground.analysis.invariants import check
from playground.kafka.client import collect, completed, place_orders, publish, read_all
from playground.kafka.live_trace import read_traces
from playground.workers.kafka import ServiceProcess
from playground.workers.results import live_result


def _ledger(path):
    """(effect, key, worker) rows a service committed, read straight from its state file."""
    with sqlite3.connect(path) as db:
        return db.execute("SELECT effect, key, worker FROM effects ORDER BY seq").fetchall()


def _confirmed(seen):
    return {r.key for r in seen if r.envelope is not None and r.envelope.type == "ConfirmationSent"}


def _all_done(ids):
    # A watcher reads topics side by side, not in causal order: a confirmation can reach
    # it before the OrderCompleted that caused it, so wait for both.
    return lambda seen: completed(seen) >= set(ids) and _confirmed(seen) >= set(ids)


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_the_order_flow_runs_end_to_end_across_three_service_processes(broker, topology, workers, tmp_path):
    processes = [workers("orders", trace="orders.jsonl"), workers("invoices", "payments", trace="money.jsonl"),
                 workers("shipping", "email", trace="delivery.jsonl")]
    for process in processes:
        process.wait_ready(60)
    ids = asyncio.run(place_orders(broker.url, 40, topology=topology, batch="e2e", seed=3))

    seen = collect(broker.url, topology=topology, until=_all_done(ids), timeout=60)
    assert completed(seen) == set(ids), (Counter(r.envelope.type for r in seen if r.envelope),
                                         "\n".join(p.output() for p in processes))
    assert _confirmed(seen) == set(ids)
    for record in seen:  # the key is the correlation id; headers mirror the envelope
        assert record.key == record.envelope.correlation_id
        assert record.headers["type"] == record.envelope.type
    for process in processes:
        assert process.stop(grace=15) == 0
        assert "stopped:" in process.output()

    lines = [line for name in ("orders", "money", "delivery")
             for line in (tmp_path / f"{name}.jsonl").read_text().splitlines()]
    result = live_result(read_traces(lines), ids)
    assert result.counts() == {"completed": 40}
    assert {name: found for name, found in check(result).items() if found} == {}
    handled_at = {e.at for e in result.trace.where(kind="end")}
    assert handled_at == {"orders", "invoices", "payments", "shipping", "email"}


def test_a_worker_killed_mid_stream_loses_no_order_and_repeats_no_effect(broker, topology, workers, tmp_path):
    rest = workers("orders", "invoices", "shipping", "email")
    survivor, victim = workers("payments"), workers("payments")
    for process in (rest, survivor, victim):
        process.wait_ready(60)
    # Both payments workers are in one group: wait until they split the partitions.
    _wait(lambda: victim.partitions("payments") and survivor.partitions("payments")
          and len(survivor.partitions("payments")) < topology.partitions, 30, "the two workers to share partitions")

    ids: list[str] = []
    placing = threading.Thread(target=lambda: ids.extend(asyncio.run(
        place_orders(broker.url, 300, topology=topology, batch="kill", seed=5, rate=100))))
    placing.start()
    payments_db = os.path.join(tmp_path, "state", "payments.sqlite")
    _wait(lambda: os.path.exists(payments_db)
          and sum(row[2] == victim.label for row in _ledger(payments_db)) >= 20, 30, "the victim to charge")
    victim.kill()  # SIGKILL: no leave-group, no offset commit, no goodbye
    placing.join()

    seen = collect(broker.url, topology=topology, until=_all_done(ids), timeout=90)
    assert len(ids) == 300
    assert completed(seen) == set(ids), f"{len(set(ids) - completed(seen))} orders never completed"

    charges = _ledger(payments_db)
    assert Counter(key for effect, key, _ in charges if effect == "charge") == Counter(set(ids))
    by_worker = Counter(worker for _, _, worker in charges)
    assert by_worker[victim.label] >= 20 and by_worker[survivor.label] > 0
    assert survivor.partitions("payments") == list(range(topology.partitions))  # it took over
    for service, effect in (("shipping", "ship"), ("email", "email")):
        done = [key for e, key, _ in _ledger(os.path.join(tmp_path, "state", f"{service}.sqlite")) if e == effect]
        assert len(done) == len(set(done)) == 300, f"{service} repeated or missed an effect"


def _settled(broker, topology, service, reacts_to):
    """Whether ``service``'s consumer group has committed everything on the topics it reads."""
    from playground.kafka.room import group_progress

    topics = topology.topics_for(service, reacts_to)
    return asyncio.run(group_progress(broker.url, topology.group(service), topics))[1] == 0


@pytest.mark.parametrize("changelog", [True, False], ids=["changelog", "no-changelog"])
def test_a_partition_moved_to_another_machine_brings_its_state_so_repeats_charge_nothing(
        broker, topology, workers, tmp_path, changelog):
    # Two payments workers on two "machines": each its own state folder. The victim is killed mid-stream,
    # its partitions move to the survivor, then every InvoiceCreated is published again.
    machines = {name: str(tmp_path / name) for name in ("machine-a", "machine-b")}
    options = [] if changelog else ["--no-changelog"]
    rest = workers("orders", "invoices", "shipping", "email")
    victim, survivor = (ServiceProcess(["payments"], broker.url, prefix=topology.prefix, partitions=topology.partitions,
                                       state_dir=machines[name], options=options).start() for name in machines)
    try:
        for process in (rest, victim, survivor):
            process.wait_ready(60)
        _wait(lambda: victim.partitions("payments") and survivor.partitions("payments")
              and len(survivor.partitions("payments")) < topology.partitions, 30, "the two workers to share partitions")
        moved = victim.partitions("payments")

        ids: list[str] = []
        placing = threading.Thread(target=lambda: ids.extend(asyncio.run(
            place_orders(broker.url, 80, topology=topology, batch="moved", seed=11, rate=40))))
        placing.start()
        victim_db, survivor_db = (os.path.join(machines[name], "payments.sqlite") for name in machines)
        _wait(lambda: os.path.exists(victim_db) and len(_ledger(victim_db)) >= 10, 30, "the victim to charge")
        victim.kill()
        placing.join()
        seen = collect(broker.url, topology=topology, until=_all_done(ids), timeout=90)
        assert completed(seen) == set(ids), f"{len(set(ids) - completed(seen))} orders never completed"

        again = [r.envelope for r in asyncio.run(read_all(broker.url, topology=topology,
                                                           topics=[topology.topic_for("InvoiceCreated")]))
                 if r.envelope is not None and r.envelope.type == "InvoiceCreated"]
        assert {e.correlation_id for e in again} == set(ids)
        asyncio.run(publish(broker.url, again, topology=topology))  # the same envelopes: already handled
        _wait(lambda: _settled(broker, topology, "payments", ["InvoiceCreated"]), 60, "payments to read them all")
    finally:
        survivor.stop(grace=10)
        victim.kill()

    charges = set()  # (order, message, worker) of every charge on either machine; a copy moved with state is one
    for db in (victim_db, survivor_db):
        with sqlite3.connect(db) as ledger:
            rows = ledger.execute("SELECT key, message_id, worker FROM effects WHERE effect='charge'").fetchall()
        assert len(rows) == len(set(rows)), f"a worker committed one message's charge twice in {db}"
        charges.update(rows)
    twice = sorted(key for key, n in Counter(key for key, _, _ in charges).items() if n > 1)
    if not changelog:  # the survivor's own file knows nothing of the victim's charges: they all run again
        assert survivor.restored("payments") == set()
        assert len(twice) >= 10, (twice, survivor.output())
        return
    assert twice == [], survivor.output()
    assert {key for key, _, _ in charges} == set(ids)  # every order charged once, on one machine or the other
    # The victim's partitions came back from the changelog before their records were handled.
    assert set(moved) <= survivor.restored("payments"), survivor.output()
    ledger = Counter(key for effect, key, _ in _ledger(survivor_db) if effect == "charge")
    assert ledger == Counter(set(ids))  # the survivor's ledger holds every charge once, the victim's included
    victims = {row for row in _ledger(victim_db)}
    assert victims and victims <= set(_ledger(survivor_db))
