"""Topics, keys and the wire format derive from the catalog and the envelope."""

import json

import pytest

from playground.catalog import CATALOG, Catalog, MessageSpec
from playground.kafka.topics import MalformedRecord, Topology, decode, encode, headers, key, wire_dict
from playground.runtime.envelope import Envelope
from playground.wiring.choreography import ORDER_REACTIONS


def test_every_catalog_type_has_the_topic_of_its_owner_and_kind():
    topology = Topology()
    for spec in CATALOG:
        assert topology.topic_for(spec.name) == f"playground.{spec.owner}.{spec.kind}s"
    assert topology.dead_letters in topology.topics()
    assert len(topology.topics()) == len({(s.owner, s.kind) for s in CATALOG}) + 1


def test_a_newly_declared_type_gets_its_topic_without_any_other_change():
    catalog = Catalog([*CATALOG, MessageSpec("GiftWrapped", "event", "wrapping", {"order_id": str}, "Wrapped.")])
    topology = Topology(catalog, prefix="shop")
    assert topology.topic_for("GiftWrapped") == "shop.wrapping.events"
    assert "shop.wrapping.events" in topology.topics()


def test_each_service_reads_its_commands_and_the_events_it_reacts_to():
    topology = Topology()
    reads = {name: topology.topics_for(name, reactions) for name, reactions in ORDER_REACTIONS.items()}
    assert reads["payments"] == ["playground.invoices.events", "playground.payments.commands"]
    assert reads["orders"] == ["playground.orders.commands", "playground.payments.events",
                               "playground.shipping.events"]
    assert topology.wants("payments", ORDER_REACTIONS["payments"]) >= {"InvoiceCreated", "ChargePayment"}
    assert "InvoicePaid" not in topology.wants("payments", ORDER_REACTIONS["payments"])


def test_the_envelope_round_trips_with_key_and_headers():
    e = Envelope("InvoicePaid", {"order_id": "o-9", "invoice_id": "inv-o-9"}, "invoices.abc-000004", "o-9",
                 "payments.def-000002", 1, 12.5, "invoices")
    assert decode(encode(e)) == e
    assert key(e) == b"o-9"
    assert dict(headers(e)) == {"type": b"InvoicePaid", "message_id": b"invoices.abc-000004",
                                "correlation_id": b"o-9", "causation_id": b"payments.def-000002",
                                "sender": b"invoices", "schema_version": b"1"}


def test_independent_producers_may_leave_out_the_optional_fields():
    e = decode(json.dumps({"type": "PlaceOrder", "payload": {}, "message_id": "x1", "correlation_id": "o-1"}),
               now=3.0)
    assert (e.causation_id, e.schema_version, e.time, e.sender) == (None, 1, 3.0, "external")


@pytest.mark.parametrize("raw, reason", [
    (None, "has no value"),
    (b"\xff\xfe", "not UTF-8"),
    (b"{oops", "not valid JSON"),
    (b"[1, 2]", "JSON list, not an object"),
    (b'{"type": "PlaceOrder", "payload": {}, "message_id": "m"}', "lacks the envelope field 'correlation_id'"),
    (b'{"type": 7, "payload": {}, "message_id": "m", "correlation_id": null}', "field 'type' has the wrong type"),
    (b'{"type": "A", "payload": {}, "message_id": "m", "correlation_id": null, "time": true}',
     "field 'time' has the wrong type"),
])
def test_malformed_records_say_what_is_wrong(raw, reason):
    with pytest.raises(MalformedRecord, match=reason):
        decode(raw)


def test_an_unknown_envelope_field_is_ignored_and_kept_for_forward_compatibility():
    raw = b'{"type": "PlaceOrder", "payload": {}, "message_id": "m", "correlation_id": "o-1", "colour": 1}'
    e = decode(raw)
    assert (e.type, e.correlation_id, e.extra) == ("PlaceOrder", "o-1", {"colour": 1})
    assert wire_dict(e)["colour"] == 1 and "colour" not in wire_dict(decode(encode(e)))
