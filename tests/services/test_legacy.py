import random

import pytest

from playground.services.legacy import ErpAdapter, ErpUnavailable, LegacyErp, StranglerFacade, goes_to_new


def test_the_erp_is_not_idempotent_and_is_sometimes_busy():
    erp = LegacyErp(busy=0.0)
    erp.call("INV;ORDER=o1;AMT=100")
    erp.call("INV;ORDER=o1;AMT=100")
    assert len(erp.documents) == 2
    busy = LegacyErp(busy=1.0)
    with pytest.raises(ErpUnavailable):
        busy.call("INV;ORDER=o1;AMT=100")
    with pytest.raises(ValueError, match="unknown ERP verb"):
        erp.call("DELETE;DOC=1")


def test_the_adapter_speaks_the_invoice_contract_and_adds_idempotency():
    adapter = ErpAdapter(erp=LegacyErp(busy=0.0))
    first = adapter.handle("CreateInvoice", {"order_id": "o1", "amount": 12.34})
    again = adapter.handle("CreateInvoice", {"order_id": "o1", "amount": 12.34})
    assert first == again and first[0].payload["invoice_id"].startswith("ERP-")
    assert [d["cents"] for d in adapter.erp.documents.values()] == [1234]
    assert adapter.handle("MarkInvoicePaid", {"order_id": "o1", "payment_id": "p"})[0].type == "InvoicePaid"
    assert adapter.handle("CancelInvoice", {"order_id": "o1"})[0].type == "InvoiceCancelled"
    assert adapter.handle("MarkInvoicePaid", {"order_id": "o1", "payment_id": "p"})[0].type == "InvoiceNotFound"
    assert [n.detail["to"] for n in adapter.take_notes()] == ["open", "paid", "cancelled"]


def test_a_busy_erp_becomes_an_event_the_saga_can_retry_on():
    adapter = ErpAdapter(erp=LegacyErp(busy=1.0))
    (event,) = adapter.handle("CreateInvoice", {"order_id": "o1", "amount": 1.0})
    assert event.type == "InvoiceSystemBusy" and "ERP-503" in event.payload["reason"]
    assert adapter.documents == {}


def test_the_facade_sends_each_order_to_one_side_for_good():
    facade = StranglerFacade(migrated=0.5, busy=0.0, rng=random.Random(1))
    orders = [f"order-{i:04d}" for i in range(40)]
    for order in orders:
        facade.handle("CreateInvoice", {"order_id": order, "amount": 5.0})
        facade.handle("CancelInvoice", {"order_id": order})
    new = {o for o in orders if goes_to_new(o, 0.5)}
    assert set(facade.modern.invoices) == new and 0 < len(new) < 40
    assert {d["order"] for d in facade.erp.documents.values()} == set(orders) - new
    assert all(d["status"] == "void" for d in facade.erp.documents.values())
    assert all(goes_to_new(o, 1.0) for o in orders) and not any(goes_to_new(o, 0.0) for o in orders)
