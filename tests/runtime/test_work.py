"""Bounded work: cycles that simulated time cannot stop end with one sentence naming them."""

import threading

import pytest

from playground.errors import CycleDetected
from playground.runtime.trace import Trace
from playground.runtime.work import (
    CHECK_EVERY,
    MOST_PER_TRANSACTION,
    WorkCounter,
    cycle_in,
)
from playground.scenarios.new_consumer import order_flow_with
from playground.services import Service, emit, handles


class Echo(Service):
    """Hears OrderCompleted and announces it again, in no simulated time: a cycle through itself."""

    name = "echo"

    @handles("AwardPoints")
    def award(self, order_id, customer):
        return [emit("OrderCompleted", order_id=order_id, customer=customer)]


def _run_with_deadline(scenario, seconds=60):
    """Run in a thread so a regression fails this test instead of hanging the suite."""
    outcome = {}

    def body():
        try:
            outcome["result"] = scenario.run()
        except CycleDetected as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the run was still going after {seconds} s"
    return outcome


def test_a_zero_latency_cycle_stops_with_one_sentence_naming_it():
    outcome = _run_with_deadline(order_flow_with(Echo, {"OrderCompleted": "AwardPoints"}, orders=3, seed=1))
    error = outcome["error"]
    assert isinstance(error, CycleDetected)
    message = str(error)
    assert message.startswith("The run was stopped because transaction order-0001 sent 10,000 messages at simulated second")
    assert "without time moving on, going round the cycle OrderCompleted from echo → OrderCompleted from echo;" in message
    assert message.count(".") == message.count("...") + 2  # one sentence (the decimal point of the time, the full stop)
    # Stopped soon after the cycle was seen: a few checks' worth of messages, not millions.
    assert error.trace.kinds()["send"] <= 3 * CHECK_EVERY


def test_the_cycle_is_read_along_the_causes_not_from_unrelated_messages():
    trace = Trace()
    trace.record(0.0, "send", "orders", "OrderPlaced", "m1", "order-1", None)
    trace.record(0.0, "send", "invoices", "InvoiceCreated", "m2", "order-1", "m1")
    trace.record(0.0, "send", "email", "EmailSent", "m9", "order-1", "m2")  # a side branch
    trace.record(0.0, "send", "payments", "PaymentReceived", "m3", "order-1", "m2")
    trace.record(0.0, "send", "invoices", "InvoiceCreated", "m4", "order-1", "m3")
    assert cycle_in(trace, "m4") == ("InvoiceCreated from invoices → PaymentReceived from payments → "
                                      "InvoiceCreated from invoices")


def test_too_many_messages_for_one_transaction_stop_a_slow_cycle_too():
    trace = Trace()
    trace.record(1.0, "send", "a", "Ping", "m1", "t-1", None)
    trace.record(2.0, "send", "b", "Pong", "m2", "t-1", "m1")
    trace.record(3.0, "send", "a", "Ping", "m3", "t-1", "m2")
    counter = WorkCounter()
    counter.look("t-1", CHECK_EVERY, 1.0, trace, "m3")  # time moves between looks: fine
    with pytest.raises(CycleDetected, match=r"sent 200,000 messages by simulated second 3.000, going round the "
                                            r"cycle Ping from a → Pong from b → Ping from a;"):
        counter.look("t-1", MOST_PER_TRANSACTION, 3.0, trace, "m3")


def test_busy_instants_of_many_transactions_are_not_a_cycle():
    counter = WorkCounter()
    for n in range(5):
        counter.look(f"order-{n}", CHECK_EVERY, 0.0, Trace(), "m1")  # each transaction looked at once
    counter.look(None, CHECK_EVERY, 0.0, Trace(), "m1")
    counter.look(None, 10 * MOST_PER_TRANSACTION, 1.0, Trace(), "m1")  # uncorrelated messages have no total bound
