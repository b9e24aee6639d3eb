"""An independent Kafka client (confluent-kafka, on librdkafka) places an order and reads the events it causes."""

import json
import time

import pytest

from playground.kafka.broker import broker_address

confluent_kafka = pytest.importorskip("confluent_kafka")

FLOW = ["OrderPlaced", "InvoiceCreated", "PaymentReceived", "InvoicePaid", "OrderShipped", "OrderCompleted",
        "ConfirmationSent"]


def test_an_order_from_confluent_kafka_is_handled_and_its_events_read_back_with_keys_and_headers(
        broker, topology, workers):
    workers("orders", "invoices", "payments", "shipping", "email").wait_ready(60)
    address = broker_address(broker.url)
    # murmur2 is the partitioner of the Java client and of aiokafka, so keys map to the same partitions.
    producer = confluent_kafka.Producer({"bootstrap.servers": address, "partitioner": "murmur2_random"})
    order = {"type": "PlaceOrder", "message_id": "shop-000001", "correlation_id": "order-interop-1",
             "payload": {"order_id": "order-interop-1", "customer": "customer-07", "amount": 42.5}}
    producer.produce(topology.topic_for("PlaceOrder"), key=b"order-interop-1", value=json.dumps(order).encode(),
                     headers=[("type", b"PlaceOrder")])
    assert producer.flush(10) == 0

    consumer = confluent_kafka.Consumer({"bootstrap.servers": address, "group.id": f"{topology.prefix}.interop",
                                         "enable.auto.commit": False})
    events = sorted({topology.topic_for(t) for t in FLOW})
    consumer.assign([confluent_kafka.TopicPartition(t, p, confluent_kafka.OFFSET_BEGINNING)
                     for t in events for p in range(topology.partitions)])
    received = []
    deadline = time.monotonic() + 60
    try:
        while {r[2]["type"] for r in received} < set(FLOW) and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            received.append((message.key(), dict(message.headers()), json.loads(message.value())))
    finally:
        consumer.close()

    assert sorted(body["type"] for _, _, body in received) == sorted(FLOW)  # each event once
    by_id = {body["message_id"]: body for _, _, body in received}
    for key, headers, body in received:
        assert key == b"order-interop-1"
        assert body["correlation_id"] == "order-interop-1"
        assert headers["type"].decode() == body["type"]
        assert headers["message_id"].decode() == body["message_id"]
        assert headers["correlation_id"] == b"order-interop-1"
        assert headers["causation_id"].decode() == body["causation_id"]
        step = FLOW.index(body["type"])
        if step:  # each event was caused by the one before it in the flow
            assert by_id[body["causation_id"]]["type"] == FLOW[step - 1]
    (placed,) = [b for _, _, b in received if b["type"] == "OrderPlaced"]
    assert placed["causation_id"] == "shop-000001" and placed["payload"]["amount"] == 42.5
