"""Records that must not wedge a service: each defect reproduced on tansu, and the flow going on around it."""

import asyncio
import json
import threading
from collections import Counter

import pytest

from playground.kafka.broker import BrokerError, broker_address
from playground.kafka.bus import claim_state_dir
from playground.kafka.client import collect, completed, place_orders
from playground.kafka.live_trace import LiveTrace
from playground.kafka.tansu import TansuBroker, free_port
from playground.kafka.topics import encode, headers, key
from playground.runtime.envelope import Envelope
from playground.workers.kafka import ServiceProcess, serve

ORDER_SERVICES = ("orders", "invoices", "payments", "shipping", "email")


async def _produce(url, records):
    """(topic, key, value bytes, headers) records, each awaited; the producer may send up to 4 MB."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=broker_address(url), max_request_size=4_000_000)
    await producer.start()
    try:
        for topic, k, value, hdrs in records:
            await producer.send_and_wait(topic, value, key=k, headers=hdrs)
    finally:
        await producer.stop()


def _record(topology, envelope, *, topic=None, value=None):
    return (topic or topology.topic_for(envelope.type), key(envelope), value or encode(envelope), headers(envelope))


def _order(order_id, message_id, amount=20.0, customer="customer-01"):
    return Envelope("PlaceOrder", {"order_id": order_id, "customer": customer, "amount": amount}, message_id,
                    order_id, None, 1, 0.0, "shop")


def test_bad_records_are_dead_lettered_with_a_reason_and_every_good_order_completes(broker, topology, tmp_path):
    good = asyncio.run(place_orders(broker.url, 3, topology=topology, batch="fine"))
    huge = _order("order-huge", "shop-huge", customer="x" * 1_000_000)  # its OrderPlaced is over the producer limit
    reuse = [_order("order-a", "shop-1"), _order("order-b", "shop-1")]  # README's id, reused by another order
    negative, nan = _order("order-neg", "shop-neg", amount=-5.0), _order("order-nan", "shop-nan")
    nan_value = encode(nan).replace(b'"amount":20.0', b'"amount":NaN')
    extra = _order("order-extra", "shop-extra")
    extra_value = encode(extra)[:-1] + b',"colour":"blue"}'  # a newer producer's field
    astray = Envelope("ShipOrder", {"order_id": "order-x"}, "shop-astray", "order-x", None, 1, 0.0, "shop")
    # Two charges for one order under different correlation ids: the order is the business key.
    charges = [Envelope("ChargePayment", {"order_id": "order-twice", "amount": 9.0}, f"ops-{i}", f"ticket-{i}",
                        None, 1, 0.0, "ops") for i in (1, 2)]
    records = [_record(topology, huge), *(_record(topology, e) for e in reuse), _record(topology, negative),
               _record(topology, nan, value=nan_value), _record(topology, extra, value=extra_value),
               _record(topology, astray, topic=topology.topic_for("ChargePayment")),
               *(_record(topology, e) for e in charges)]
    trace, lines = LiveTrace(), []

    async def main():
        stop = asyncio.Event()
        task = asyncio.create_task(serve(ORDER_SERVICES, broker.url, topology=topology, state_dir=str(tmp_path),
                                         trace=trace, stop=stop, announce=lines.append))
        while not any(line.startswith("ready:") for line in lines):
            assert not task.done(), lines
            await asyncio.sleep(0.05)
        await _produce(broker.url, records)
        ids = set(good) | {"order-a", "order-b", "order-extra"}
        seen = await asyncio.to_thread(collect, broker.url, topology=topology, timeout=60, until=lambda s: (
            completed(s) >= ids and len([r for r in s if r.topic == topology.dead_letters]) >= 4))
        stop.set()
        await asyncio.wait_for(task, 30)
        return ids, seen

    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(main())), daemon=True)
    runner.start()
    runner.join(150)
    assert outcome, "the worker did not run and stop within 150 s"
    ids, seen = outcome[0]
    assert completed(seen) == ids  # the flow went on around every bad record
    letters = {r.key: r for r in seen if r.topic == topology.dead_letters}
    assert set(letters) == {"order-huge", "order-neg", "order-nan", "order-x"}, Counter(letters)
    assert "over the producer's limit" in letters["order-huge"].headers["reason"]
    assert len(json.dumps(letters["order-huge"].body)) < 5_000  # kept without its bulk
    assert "should not be negative" in letters["order-neg"].headers["reason"]
    assert "finite number" in letters["order-nan"].headers["reason"]
    assert letters["order-x"].headers["reason"].startswith(f"ShipOrder arrived on {topology.topic_for('ChargePayment')}")
    charged = [e.correlation_id for e in trace.where(kind="effect") if e.detail["effect"] == "charge"]
    assert Counter(charged)["ticket-1"] + Counter(charged)["ticket-2"] == 1  # order-twice charged once
    assert all(e.correlation_id not in ("order-huge",) for e in trace.where(kind="send", type="InvoiceCreated"))


def test_a_worker_stops_with_one_sentence_when_its_broker_comes_back_empty(tmp_path):
    port = free_port()
    first = TansuBroker(port).start()
    worker = ServiceProcess(["payments"], first.url, prefix="restart", state_dir=str(tmp_path / "state")).start()
    second = None
    try:
        worker.wait_ready(60)
        first.stop()  # memory storage: the topics, offsets and groups are gone with it
        second = TansuBroker(port).start()
        status = worker.process.wait(40)
    finally:
        worker.stop(grace=5)
        for broker in (first, second):
            if broker is not None:
                broker.stop()
    output = worker.output()
    assert status != 0 and "lost this run" in output and "playground serve payments" in output, output[-2000:]
    assert output.count("UnknownTopicOrPartitionError") < 20


def test_state_from_one_cluster_is_refused_on_another(tmp_path):
    claim_state_dir(str(tmp_path), "cluster-a")
    claim_state_dir(str(tmp_path), "cluster-a")  # the same cluster again: fine
    with pytest.raises(BrokerError, match="holds state from Kafka cluster cluster-a, but the broker is cluster cluster-b"):
        claim_state_dir(str(tmp_path), "cluster-b")


def test_placing_orders_fails_loudly_when_the_broker_does_not_take_them(monkeypatch):
    import aiokafka

    from playground.kafka import client

    class Refusing:  # a producer whose every delivery fails, as when the broker goes away mid-send
        def __init__(self, **kwargs):
            pass

        async def start(self):
            pass

        async def stop(self):
            pass

        async def send(self, *args, **kwargs):
            failed = asyncio.get_running_loop().create_future()
            failed.set_exception(aiokafka.errors.KafkaTimeoutError("no broker"))
            return failed

    async def fine(*args, **kwargs):
        return []

    monkeypatch.setattr(aiokafka, "AIOKafkaProducer", Refusing)
    monkeypatch.setattr(client, "check_broker", fine)
    monkeypatch.setattr(client, "ensure_topics", fine)
    with pytest.raises(BrokerError, match="did not take 3 of 3 records"):
        asyncio.run(place_orders("kafka://127.0.0.1:9", 3, batch="lost"))


def test_a_state_folder_on_a_network_filesystem_is_refused_in_one_sentence(tmp_path, monkeypatch):
    import playground.kafka.bus as bus_module

    monkeypatch.setattr(bus_module, "filesystem_of", lambda path: "nfs4")
    with pytest.raises(BrokerError, match=r"is on a network filesystem \(nfs4\); the state files use SQLite in WAL "
                                          r"mode, which does not work there, so give each machine a local --state-dir"):
        claim_state_dir(str(tmp_path / "state"), "cluster-a")
    assert not (tmp_path / "state").exists()
    monkeypatch.setattr(bus_module, "filesystem_of", lambda path: "ext4")
    claim_state_dir(str(tmp_path / "state"), "cluster-a")
    assert (tmp_path / "state" / "cluster-id").read_text() == "cluster-a"
