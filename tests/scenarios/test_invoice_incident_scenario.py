"""The invoice incident, found in the trace, and each fix shown to remove it."""

import pytest

from playground.analysis.invariants import check, paid_without_invoice
from playground.errors import ScenarioError
from playground.orchestration import Retry
from playground.scenarios import invoice_incident

ORDERS = 120


@pytest.fixture(scope="module")
def incident():
    return invoice_incident(orders=ORDERS, seed=3).run()


def test_a_payment_slower_than_the_timeout_leaves_money_without_an_invoice(incident):
    found = paid_without_invoice(incident)
    assert len(found) >= 3
    trace = incident.trace
    for violation in found:
        order = violation.correlation_id
        entries = trace.where(correlation_id=order)
        kinds = [(e.kind, e.type) for e in entries]
        timeout = next(e for e in entries if e.kind == "timeout")
        assert timeout.detail["step"] == "payment" and timeout.detail["after"] == 5.0
        charge = next(e for e in entries if e.kind == "effect" and e.detail["effect"] == "charge")
        cancelled = next(e for e in entries if e.kind == "state" and e.at == "invoices" and e.detail["to"] == "cancelled")
        assert timeout.time < min(cancelled.time, charge.time)  # the money came after the orchestrator gave up
        assert ("send", "InvoiceNotFound") in kinds  # the late payment landed on a cancelled invoice
        assert incident.outcomes[order] == "cancelled"
        assert not [e for e in entries if e.kind == "effect" and e.detail["effect"] == "refund"]
        assert set(violation.evidence) >= {charge.seq, cancelled.seq}
    parked = {d.envelope.correlation_id for d in incident.dead_letters if "ignores late replies" in d.reason}
    assert parked == {v.correlation_id for v in found}


def test_the_incident_is_reproducible_from_its_seed(incident):
    again = invoice_incident(orders=ORDERS, seed=3).run()
    assert again.trace.digest() == incident.trace.digest()
    assert paid_without_invoice(again) == paid_without_invoice(incident)


@pytest.mark.parametrize("params", [
    {"fix": "wait"},
    {"fix": "retry"},
    {"fix": "refund-late"},
    {"wiring": "choreography"},
])
def test_each_fix_removes_the_anomaly(incident, params):
    fixed = invoice_incident(orders=ORDERS, seed=3, **params).run()
    assert paid_without_invoice(fixed) == []
    assert check(fixed, "money-conserved")["money-conserved"] == []
    assert check(fixed, "one-terminal-state")["one-terminal-state"] == []
    assert check(fixed, "effects-at-most-once")["effects-at-most-once"] == []
    slow = [e for e in fixed.trace.where(kind="start", at="payments")]
    assert len(slow) >= ORDERS  # the payments were just as slow


def test_waiting_or_asking_again_completes_every_order_while_refunding_cancels_them(incident):
    assert invoice_incident(orders=ORDERS, seed=3, fix="wait").run().counts() == {"completed": ORDERS}
    asked = invoice_incident(orders=ORDERS, seed=3, fix="retry").run()
    assert asked.counts() == {"completed": ORDERS}
    assert asked.trace.where(kind="retry")
    charges = [e for e in asked.trace.where(kind="effect") if e.detail["effect"] == "charge"]
    assert len(charges) == ORDERS  # asked several times, charged once
    refunded = invoice_incident(orders=ORDERS, seed=3, fix="refund-late").run()
    assert refunded.counts()["cancelled"] >= len(paid_without_invoice(incident))
    refunds = [e for e in refunded.trace.where(kind="effect") if e.detail["effect"] == "refund"]
    assert len(refunds) == refunded.counts()["cancelled"]


@pytest.mark.parametrize("params, fragment", [
    ({"fix": "pray"}, "There is no fix called 'pray'"),
    ({"fix": "wait", "wiring": "choreography"}, "fix='wait' changes the orchestrator"),
    ({"timeout": 0}, "timeout must be a number greater than 0"),
    ({"retry": Retry(count=3)}, "retry= takes a Retry(...) and only goes with fix='retry'"),
])
def test_bad_parameters_get_one_clear_sentence(params, fragment):
    with pytest.raises(ScenarioError) as caught:
        invoice_incident(**params)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_asking_again_too_eagerly_floods_the_payment_service_and_brings_the_anomaly_back():
    storm = invoice_incident(orders=ORDERS, seed=3, fix="retry", retry=Retry(count=20, backoff=0.0)).run()
    assert len(storm.trace.where(kind="start", at="payments")) > 5 * ORDERS
    assert paid_without_invoice(storm)
