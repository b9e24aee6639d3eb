"""The saga orchestrator as Kafka workers: two in one group, one killed mid-saga, nothing lost or undone twice."""

import asyncio
import sqlite3
import threading
import time
from collections import Counter

from playground.kafka.bus import KafkaBus
from playground.kafka.client import book_trips, collect, completed, place_orders
from playground.workers.kafka import ServiceProcess, orchestrated
from playground.runtime.port import WorkflowBus, missing
from playground.runtime.randomness import Randomness
from playground.orchestration.saga import SagaDefinition, Step
from playground.services import Flights, Hotels
from playground.wiring.orchestration import orchestrate

ENDINGS = ("SagaCompleted", "SagaCompensated", "SagaStuck")
SAGAS = ["--saga", "order", "--saga", "trip"]


def _rows(path, sql):
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def _effects(state, service, effect):
    """How often ``service`` committed ``effect`` per business key (an email's key is 'confirmation:<order>')."""
    rows = _rows(state / f"{service}.sqlite", "SELECT effect, key FROM effects ORDER BY seq")
    return Counter(key.split(":")[-1] for e, key in rows if e == effect)


def _ended(seen):
    return {r.key for r in seen if r.envelope is not None and r.envelope.type in ENDINGS}


def _story(seen, store, ids):
    """What the broker and the store say about instances that never ended (for a failure message)."""
    rows = dict(_rows(store, "SELECT id, state FROM instances"))
    return {i: (rows.get(i), [(r.topic.rsplit(".", 2)[-2], r.envelope.type if r.envelope else "?")
                              for r in seen if r.key == i]) for i in ids}


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_orchestrator_workers_split_sagas_and_a_killed_one_loses_and_repeats_nothing(broker, topology, tmp_path):
    topology, state = orchestrated(topology), tmp_path / "state"

    def start(*services, options=()):
        return ServiceProcess(services, broker.url, prefix=topology.prefix, partitions=topology.partitions,
                              state_dir=str(state), options=["--wiring", "orchestration", *options]).start()

    survivor, victim = start("orchestrator", options=SAGAS), start("orchestrator", options=SAGAS)
    services = start("orders", "invoices", "payments", "shipping", "email", "flights", "hotels", "cars",
                     options=["--fail", "cars=0.5"])
    processes = [services, survivor, victim]
    try:
        for p in processes:
            p.wait_ready(60)
        _wait(lambda: victim.partitions("orchestrator") and survivor.partitions("orchestrator")
              and len(survivor.partitions("orchestrator")) < topology.partitions, 30, "the workers to split")
        held = set(victim.partitions("orchestrator"))
        store = state / "orchestrator.sqlite"

        def victim_busy():
            rows = _rows(store, "SELECT id FROM instances WHERE busy = 1") if store.exists() else []
            return sum(topology.partition_of(i) in held for (i,) in rows)

        orders: list[str] = []
        trips: list[str] = []

        async def place():
            orders.extend(await place_orders(broker.url, 80, topology=topology, batch="orch", seed=4, rate=40))

        async def book():
            trips.extend(await book_trips(broker.url, 80, topology=topology, batch="kill", seed=2, rate=40))

        async def both():
            await asyncio.wait_for(asyncio.gather(place(), book()), 60)

        placing = threading.Thread(target=lambda: asyncio.run(both()))
        placing.start()
        _wait(lambda: victim_busy() >= 5, 30, "the victim to hold busy instances")
        in_hand = victim_busy()
        victim.kill()  # SIGKILL: no leave-group, no offset commit; its timers and memory are gone
        placing.join()
        ids = set(orders) | set(trips)
        seen = collect(broker.url, topology=topology, until=lambda s: _ended(s) >= ids, timeout=150)
        lost = sorted(ids - _ended(seen))
        assert len(ids) == 160 and not lost, (f"{len(lost)} instances never ended", _story(seen, store, lost[:3]),
                                             survivor.output())
        taken = [int(line.split()[2]) for line in survivor.lines if line.startswith("took over:")]
        assert in_hand >= 5 and sum(taken) >= 1, (in_hand, taken)  # the survivor resumed from the store
        assert survivor.partitions("orchestrator") == list(range(topology.partitions))
    finally:
        for p in processes:
            p.stop(grace=10)

    # The order flow: every order completed, each charged, shipped and confirmed once.
    assert completed(seen, "SagaCompleted") >= set(orders)
    for service, effect in (("payments", "charge"), ("shipping", "ship"), ("email", "email")):
        assert _effects(state, service, effect) == Counter(set(orders)), f"{service} repeated or missed {effect}"
    # The travel saga: cars fail half the time; each compensated trip's flight and hotel released once.
    compensated = {r.key for r in seen if r.envelope is not None and r.envelope.type == "SagaCompensated"}
    assert compensated and compensated <= set(trips)
    for service in ("flights", "hotels"):
        assert _effects(state, service, "reserve") == Counter(set(trips)), f"{service} reserved twice or never"
        assert _effects(state, service, "release") == Counter(compensated), f"{service} released twice or never"
    # Commands out on the services' topics, replies in on the orchestrator's own topic.
    topics = {r.envelope.type: r.topic for r in seen if r.envelope is not None}
    assert topics["ChargePayment"] == f"{topology.prefix}.payments.commands"
    assert topics["PaymentReceived"] == topics["FlightReserved"] == f"{topology.prefix}.orchestrator.replies"


def test_orchestrate_runs_on_a_kafka_bus_with_deadlines_in_real_seconds(broker, topology, tmp_path):
    # A hotel slower than its step's 1 s deadline: the step times out on the wall clock, the flight is released.
    saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight"),
                                   Step("hotel", "ReserveHotel", "CancelHotel", timeout=1.0)], started_by="BookTrip")

    async def main():
        bus = KafkaBus(broker.url, topology=orchestrated(topology), state_dir=str(tmp_path))
        services = {"flights": Flights(), "hotels": Hotels(latency=3.0)}
        host = orchestrate(bus, services, [saga], Randomness(0), store=str(tmp_path / "orchestrator.sqlite"))
        assert isinstance(bus, WorkflowBus) and missing(KafkaBus) == []
        await bus.start()
        try:
            await host.start("trip", "trip-1", {"trip_id": "trip-1", "traveller": "traveller-001"})
            for _ in range(400):
                if bus.trace.where(kind="send", type="SagaCompensated"):
                    break
                await asyncio.sleep(0.05)
            return bus.trace
        finally:
            await bus.stop()
            host.close()

    trace = asyncio.run(asyncio.wait_for(main(), 90))
    (asked,) = trace.where(kind="send", type="ReserveHotel")
    (timeout,) = trace.where(kind="timeout", correlation_id="trip-1")
    assert timeout.detail["step"] == "hotel" and 0.95 < timeout.time - asked.time < 1.5
    assert [e.detail["step"] for e in trace.where(kind="compensate")] == ["flight"]
    assert len(trace.where(kind="send", type="SagaCompensated")) == 1
