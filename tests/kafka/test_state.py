"""The state store: keyed service state, handled messages and effects survive the process that wrote them."""

from playground.kafka.state import StateStore, keyed_attributes
from playground.services import Email, Invoices, Orders, Payments


def test_keyed_attributes_are_the_services_dicts():
    assert keyed_attributes(Payments()) == ["charges"]
    assert keyed_attributes(Orders()) == ["orders"]
    assert keyed_attributes(Email()) == []  # its sent list is not per transaction


def test_a_second_worker_sees_the_first_ones_state_and_does_not_charge_again(tmp_path):
    path = str(tmp_path / "payments.sqlite")
    first, second = StateStore(path), StateStore(path)
    a, b = Payments(), Payments()
    first.load(a, "o-1")
    a.handle("ChargePayment", {"order_id": "o-1", "amount": 10.0})
    first.commit("payments", "m-1", a, "o-1", outputs=[{"topic": "t"}], effects=[("charge", "o-1")], worker="A")
    assert second.seen("payments", "m-1") == [{"topic": "t"}]
    assert second.seen("payments", "m-2") is None
    second.load(b, "o-1")
    b.handle("ChargePayment", {"order_id": "o-1", "amount": 10.0})
    assert b.take_notes() == []  # already charged: no second effect
    assert second.effects(worker=True) == [("charge", "o-1", "m-1", "A")]
    first.close()
    second.close()


def test_loading_a_key_drops_a_stale_local_entry(tmp_path):
    store = StateStore(str(tmp_path / "invoices.sqlite"))
    invoices = Invoices()
    invoices.invoices["o-2"] = {"invoice_id": "stale", "amount": 1.0, "status": "open"}
    store.load(invoices, "o-2")
    assert "o-2" not in invoices.invoices
    invoices.handle("CreateInvoice", {"order_id": "o-2", "amount": 3.0})
    store.commit("invoices", "m-9", invoices, "o-2", outputs=[], effects=[])
    fresh = Invoices()
    store.load(fresh, "o-2")
    assert fresh.invoices["o-2"] == {"invoice_id": "inv-o-2", "amount": 3.0, "status": "open"}
    store.close()
