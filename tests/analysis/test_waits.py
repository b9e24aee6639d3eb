"""Reply times from the trace: one per answered command, matched by causation id."""

import pytest

from playground.analysis.invariants import paid_without_invoice
from playground.analysis.waits import reply_times
from playground.errors import PlaygroundError
from playground.scenarios import invoice_incident, order_flow


def test_each_answered_command_has_one_wait_from_its_send_to_its_first_reply():
    result = order_flow(orders=15, seed=2, wiring="orchestration").run()
    waits = reply_times(result, "ChargePayment")
    charges = result.trace.where(kind="send", type="ChargePayment")
    assert set(waits) == {e.message_id for e in charges}
    for e in charges:
        reply = next(r for r in result.trace.where(kind="send") if r.causation_id == e.message_id)
        assert waits[e.message_id] == pytest.approx(reply.time - e.time)
    # payments' processing time is drawn from 0.1-0.5 s and nothing queues at this rate
    assert all(0.1 <= w <= 0.5 for w in waits.values())


def test_in_the_incident_every_payment_slower_than_the_timeout_is_an_anomaly():
    result = invoice_incident(orders=120, seed=3).run()
    late = [w for w in reply_times(result, "ChargePayment").values() if w > 5.0]
    assert late and len(late) == len(paid_without_invoice(result))


def test_an_unknown_command_gets_one_sentence():
    with pytest.raises(PlaygroundError, match="No ChargePaymnet was sent"):
        reply_times(order_flow(orders=2, seed=1).run(), "ChargePaymnet")
