"""The state store: keyed service state, handled messages and effects survive the process that wrote them."""

import json

from playground.kafka.changelog import documents
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


def _changes(store, payments, handled, partition=1):
    """The changelog records a batch of ``handled`` (message id, key, effects) would write from ``store``."""
    keys = {key: partition for _, key, _ in handled}
    rows = [(mid, "[]", effects, key, partition) for mid, key, effects in handled]
    return documents(keys, rows, state=store.snapshot(payments, keys), earlier=store.handled_for("payments", set(keys)),
                     worker="A")


def _apply(store, changes, upto):
    docs = [json.loads(value) for _, _, value in changes]
    return store.apply_changelog("payments", 1, docs, [key.decode() for _, key, _ in changes], upto)


def test_a_file_on_another_machine_learns_a_partitions_state_handled_messages_and_effects_from_its_changelog(tmp_path):
    here, there = StateStore(str(tmp_path / "a.sqlite")), StateStore(str(tmp_path / "b.sqlite"))
    payments = Payments()
    payments.handle("ChargePayment", {"order_id": "o-1", "amount": 10.0})
    first = _changes(here, payments, [("m-1#x", "o-1", [("charge", "o-1")])])
    here.commit("payments", "m-1#x", payments, "o-1", outputs=[], effects=[("charge", "o-1")], worker="A")
    payments.handle("RefundPayment", {"order_id": "o-1"})
    second = _changes(here, payments, [("m-2#y", "o-1", [("refund", "o-1")])])
    assert [json.loads(v)["handled"][0][0] for _, _, v in second] == ["m-1#x"]  # the key's whole history

    assert _apply(there, first + second, upto=2) == 1  # read in order: the last record of a key wins
    assert there.seen("payments", "m-1#x") == [] and there.seen("payments", "m-2#y") == []
    fresh = Payments()
    there.load(fresh, "o-1")
    assert fresh.charges["o-1"]["refunded"] is True
    fresh.handle("ChargePayment", {"order_id": "o-1", "amount": 10.0})
    assert fresh.take_notes() == []  # already charged on the other machine: no second charge
    assert there.effects(worker=True) == [("charge", "o-1", "m-1#x", "A"), ("refund", "o-1", "m-2#y", "A")]
    assert there.restored_to("payments", 1) == 2 and there.restored_to("payments", 0) == 0
    _apply(there, second, upto=2)  # read again (its own records, after a restart): still each effect once
    assert len(there.effects()) == 2
    here.close()
    there.close()


def test_a_changelog_record_over_the_limit_leaves_its_state_behind_and_says_so(tmp_path):
    store, orders = StateStore(str(tmp_path / "orders.sqlite")), Orders()
    orders.handle("PlaceOrder", {"order_id": "o-big", "customer": "x" * 5_000, "amount": 1.0})
    told = []
    changes = documents({"o-big": 0}, [("m#z", "[]", [], "o-big", 0)], state=store.snapshot(orders, {"o-big"}),
                        earlier={}, worker="A", limit=1_000, too_big=lambda key, size: told.append((key, size)))
    assert told and told[0][0] == "o-big" and told[0][1] > 5_000
    (doc,) = [json.loads(value) for _, _, value in changes]
    assert doc["state"] is None and doc["handled"] == [["m#z", [], []]]  # its history still moves
    store.close()
