"""Metrics against runs whose answers can be worked out by hand."""

import pytest

from playground.analysis.metrics import (
    Series, availability, backlog, down_windows, end_to_end, fan_out, latency_percentiles,
    messages_per_transaction, percentile, throughput)
from playground.errors import PlaygroundError
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow

#: Fixed processing times: an order that never queues takes exactly their sum up to OrderCompleted.
FIXED = {"orders": 0.01, "invoices": 0.05, "payments": 0.3, "shipping": 0.2, "email": 0.1}


def test_an_uncontended_order_takes_the_sum_of_its_hops():
    result = order_flow(orders=5, seed=2, rate=0.01, latency=FIXED).run()  # ~100 s between orders: no queueing
    hops = FIXED["orders"] * 2 + FIXED["invoices"] * 2 + FIXED["payments"] + FIXED["shipping"]
    assert set(round(v, 9) for v in end_to_end(result).values()) == {round(hops, 9)}
    assert latency_percentiles(result, (50, 99)) == pytest.approx({50: hops, 99: hops})


def test_percentile_interpolates_and_refuses_nothing():
    assert percentile([10, 20, 30, 40, 50], 90) == pytest.approx(46.0)
    assert percentile([3.0], 99) == 3.0
    with pytest.raises(PlaygroundError, match="no values"):
        percentile([], 50)


def test_throughput_windows_add_up_to_the_finished_transactions(small_run):
    series = throughput(small_run, window=5.0)
    assert sum(series.values) * 5.0 == pytest.approx(len(small_run.outcomes))
    assert series.times == [5.0 * i for i in range(len(series.times))]


def test_backlog_grows_while_a_consumer_is_down_and_drains_after():
    result = order_flow(orders=100, seed=3, faults=FaultPlan(outages={"email": [(20.0, 80.0)]})).run()
    waiting = backlog(result)["email"]
    arrived = [e for e in result.trace.where(kind="send", type="OrderCompleted") if 20.0 <= e.time < 79.99]
    busy = [e for e in result.trace.where(kind="start", at="email") if e.time < 20.0 < e.time + 0.1]
    assert waiting.at(79.99) == len(arrived) > 10
    assert waiting.at(20.0 - 1e-9) == 0 and not busy
    assert waiting.values[-1] == 0 and min(waiting.values) == 0
    assert backlog(result)["payments"].at(79.99) <= 2  # the rest of the flow keeps moving


def test_backlog_follows_a_trace_that_grew_after_it_was_read():
    result = order_flow(orders=5, seed=3).run()
    before = backlog(result)["email"]
    last = result.finished_at + 1
    result.trace.record(last, "send", "orders", "OrderCompleted", "extra-1", "order-x", None, {"to": ["email"]})
    after = backlog(result)["email"]
    assert before.at(last) == 0 and after.at(last) == 1


def test_backlog_counts_duplicates_and_redeliveries():
    from playground.runtime.fault_rules import Duplicate, FailCalls

    plan = FaultPlan(messages=[Duplicate(type="OrderCompleted", nth=1, copies=2)],
                     failures=[FailCalls("payments", nth=1)], redelivery_delay=5.0)
    result = order_flow(orders=3, seed=1, rate=0.01, faults=plan).run()
    series = backlog(result)
    # Three copies arrive at once; the idle consumer takes one at that instant, two wait.
    assert max(series["email"].values) == 2
    (again,) = result.trace.where(kind="redeliver")
    assert again.time + 5.0 in series["payments"].times
    assert all(s.values[-1] == 0 for s in series.values())


def test_availability_shows_who_depends_on_the_component_that_is_down():
    plan = FaultPlan(outages={"email": [(20.0, 80.0)], "payments": [(200.0, 260.0)]})
    result = order_flow(orders=300, seed=4, faults=plan).run()
    assert down_windows(result, "email") == [(20.0, 80.0)]
    (email,) = availability(result, "email")
    (payments,) = availability(result, "payments")
    assert email.started > 30 and email.ratio > 0.9  # orders complete before the email goes out
    assert payments.started > 30 and payments.finished == 0 and payments.ratio == 0.0
    assert payments.handled > 0  # other services still handle what reaches them


def test_messages_per_order_and_fan_out(small_run):
    counts = messages_per_transaction(small_run)
    for order_id, outcome in small_run.outcomes.items():
        # completed: place, placed, invoice, payment, paid, shipped, completed, confirmation;
        # cancelled: place, placed, invoice, payment failed, invoice cancelled, order cancelled.
        assert counts[order_id] == {"completed": 8, "cancelled": 6}[outcome]
    spread = fan_out(small_run)
    assert spread["PaymentFailed"] == 2.0 and spread["OrderPlaced"] == 1.0
    assert spread["ConfirmationSent"] == 0.0  # nobody listens


def test_series_reads_as_a_step_function():
    s = Series([0.0, 2.0, 5.0], [0, 3, 1])
    assert [s.at(t) for t in (-1, 0, 1.9, 2, 4.9, 5, 99)] == [0, 0, 0, 3, 3, 1, 1]
