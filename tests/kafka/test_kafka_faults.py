"""A fault plan on a Kafka bus: a call that fails after its work, with and without the service losing its memory."""

import asyncio
import sqlite3
from collections import Counter

from playground.kafka.bus import KafkaBus
from playground.kafka.client import publish
from playground.kafka.topics import Topology
from playground.runtime.envelope import Envelope
from playground.runtime.fault_rules import FailCalls
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness
from playground.services import Payments
from playground.wiring.choreography import choreograph
from playground.workers.kafka import REACTIONS


def _invoices(n):
    return [Envelope("InvoiceCreated", {"order_id": f"o-{i}", "invoice_id": f"inv-o-{i}", "amount": 5.0}, f"m-{i}",
                     f"o-{i}", None, 1, 0.0, "invoices") for i in range(n)]


async def _payments(broker, topology, folder, *, amnesia):
    """Payments on Kafka whose first call fails after charging; returns (trace's charges, ledger's, restarts)."""
    plan = FaultPlan(failures=[FailCalls("payments", after_work=True, nth=1)], redelivery_delay=0.3,
                     amnesia=["payments"] if amnesia else [])
    bus = KafkaBus(broker.url, topology=topology, faults=plan, state_dir=str(folder), name="pay")
    choreograph(bus, {"payments": Payments()}, {"payments": REACTIONS["payments"]}, Randomness(0))
    await bus.start()
    try:
        await publish(broker.url, _invoices(3), topology=topology)
        await _until(lambda: len(bus.trace.where(kind="end")) >= 3)
        await publish(broker.url, _invoices(3), topology=topology)  # the same messages again: already handled
        await _until(lambda: len(bus.trace.where(kind="redeliver")) >= 4)
        await asyncio.sleep(0.5)  # the last batch is committed
    finally:
        await bus.stop()
    traced = Counter(e.correlation_id for e in bus.trace.where(kind="effect") if e.detail["effect"] == "charge")
    with sqlite3.connect(folder / "payments.sqlite") as db:
        ledger = Counter(key for key, in db.execute("SELECT key FROM effects WHERE effect='charge'"))
    restarts = [e.detail["memory"] for e in bus.trace.where(kind="fault") if e.detail.get("fault") == "restart"]
    return traced, ledger, restarts


async def _until(condition, timeout=30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_a_call_that_fails_after_its_work_repeats_the_charge_on_kafka_only_when_the_service_forgets(broker, tmp_path):
    async def main():
        return await asyncio.gather(*(
            _payments(broker, Topology(prefix=f"{tmp_path.name[:20]}-{tag}"), tmp_path / tag, amnesia=amnesia)
            for tag, amnesia in (("keeps", False), ("forgets", True))))

    (kept, kept_ledger, no_restart), (forgot, forgot_ledger, restarts) = asyncio.run(main())
    # Remembering its charges, the service answers the redelivery without charging again.
    assert kept == kept_ledger == Counter({"o-0": 1, "o-1": 1, "o-2": 1}) and no_restart == []
    # A restart loses what had not been committed yet (the store commits after the handler, as a worker that
    # dies before committing would): the failed call's order is charged again, and the ledger says so too.
    assert restarts == ["lost"]
    assert sorted(forgot.values()) == [1, 1, 2] and forgot_ledger == forgot
