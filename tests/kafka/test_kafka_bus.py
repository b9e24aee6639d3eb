"""KafkaBus: malformed records go to the DLQ topic with their reason, and a bus starts and stops from code."""

import asyncio
import json
import threading
import time

import pytest

from playground.errors import PlaygroundError
from playground.kafka.broker import BROKER_ENV, broker_address
from playground.kafka.bus import KafkaBus
from playground.kafka.client import collect, completed, orders_for, place_orders
from playground.kafka.live_trace import LiveTrace
from playground.workers.results import live_result
from playground.kafka.topics import encode, key
from playground.workers.kafka import serve

ORDER_SERVICES = ("orders", "invoices", "payments", "shipping", "email")


async def _produce_raw(url, topic, records):
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=broker_address(url))
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def test_malformed_records_are_dead_lettered_with_their_reason_while_the_flow_continues(broker, topology, workers):
    workers(*ORDER_SERVICES).wait_ready(60)
    commands = topology.topic_for("PlaceOrder")
    asyncio.run(_produce_raw(broker.url, commands, [(b"junk-1", b"{not json"), (b"junk-2", b'["a list"]')]))
    ids = asyncio.run(place_orders(broker.url, 6, topology=topology, batch="dlq", seed=2, malformed=1))

    def parked(seen):
        return [r for r in seen if r.topic == topology.dead_letters]

    seen = collect(broker.url, topology=topology, timeout=60,
                   until=lambda s: len(parked(s)) >= 3 and len(completed(s)) >= 5)
    letters = {r.key: r for r in parked(seen)}
    assert set(letters) >= {"junk-1", "junk-2"}
    assert "not valid JSON" in letters["junk-1"].headers["reason"]
    assert letters["junk-1"].body["value"] == "{not json"
    assert letters["junk-1"].body["at"] == "orders"
    assert letters["junk-1"].body["record"].startswith(f"{commands}[")
    assert "not an object" in letters["junk-2"].body["reason"]
    (broken,) = [k for k in letters if k.startswith("order-dlq-")]
    assert "field 'amount' should be a number" in letters[broken].headers["reason"]
    assert letters[broken].body["envelope"]["payload"]["amount"].endswith(" EUR")
    assert letters[broken].headers["type"] == "PlaceOrder"
    # The flow went on around the bad records: every well-formed order completed.
    assert completed(seen) == set(ids) - {broken}
    assert len(parked(seen)) == 3


def test_a_bus_starts_and_stops_from_code_and_its_trace_is_analysed_like_a_simulated_run(broker, topology, tmp_path):
    lines: list[str] = []
    trace = LiveTrace()

    async def main():
        stop = asyncio.Event()
        task = asyncio.create_task(serve(ORDER_SERVICES, broker.url, topology=topology, state_dir=str(tmp_path),
                                         trace=trace, stop=stop, announce=lines.append))
        while not any(line.startswith("ready:") for line in lines):
            assert not task.done(), lines
            await asyncio.sleep(0.05)
        ids = await place_orders(broker.url, 5, topology=topology, batch="code")
        for _ in range(300):
            if len(trace.where(kind="send", type="ConfirmationSent")) == 5:
                break
            await asyncio.sleep(0.05)
        # The broker hands the first order over again (at-least-once): nothing runs twice,
        # each service re-sends what it sent the first time, down the whole chain.
        (first,) = [e for e in orders_for(5, batch="code") if e.correlation_id == ids[0]]
        await _produce_raw(broker.url, topology.topic_for("PlaceOrder"), [(key(first), encode(first))])
        for _ in range(300):
            if len(trace.where(kind="redeliver")) == 7:
                break
            await asyncio.sleep(0.05)
        began = time.monotonic()
        stop.set()
        bus = await asyncio.wait_for(task, 20)
        return ids, bus, time.monotonic() - began

    # In a thread with a deadline: if stopping ever hung, this test fails instead of hanging the run.
    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(main())), daemon=True)
    runner.start()
    runner.join(120)
    assert outcome, "serve() did not start, run and stop within 120 s"
    ids, bus, stopping = outcome[0]
    assert stopping < 10
    assert bus.handled == 5 * 7  # seven hops per order, the repeated one not run again
    again = trace.where(kind="redeliver")
    assert sorted(e.at for e in again) == sorted(["orders", "invoices", "payments", "invoices", "shipping",
                                                  "orders", "email"])
    assert {e.correlation_id for e in again} == {ids[0]}
    assert len(trace.where(kind="effect", correlation_id=ids[0])) == 3  # charge, ship, email: once each
    result = live_result(trace, ids)
    assert result.counts() == {"completed": 5}
    assert all(e.message_id.startswith(bus.process) for e in trace.where(kind="send") if e.at != "customers")


def test_the_broker_comes_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.setenv(BROKER_ENV, "kafka://127.0.0.1:9999")
    assert KafkaBus().url == "kafka://127.0.0.1:9999"
    assert KafkaBus("kafka://localhost:9092").url == "kafka://localhost:9092"
    monkeypatch.delenv(BROKER_ENV)
    with pytest.raises(PlaygroundError, match="needs a broker"):
        KafkaBus()


def test_message_ids_differ_between_two_buses_of_the_same_service():
    first, second = KafkaBus("kafka://127.0.0.1:1", name="payments"), KafkaBus("kafka://127.0.0.1:1", name="payments")
    a = first.message("PaymentReceived", {}, sender="payments", correlation_id="o-1")
    b = second.message("PaymentReceived", {}, sender="payments", correlation_id="o-1")
    assert a.message_id != b.message_id
    assert a.message_id.startswith("payments.") and json.dumps(a.to_dict())
