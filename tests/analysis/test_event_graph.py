"""The event-flow graph: observed flows, fan-in/fan-out, and the loop in a mis-wired choreography."""

import time

import pytest

from playground.analysis.event_graph import event_graph, loops_in
from playground.errors import HorizonExceeded
from playground.scenarios.ping_pong import PING_PONG_REACTIONS, ping_pong
from playground.wiring.choreography import ORDER_REACTIONS


def test_the_order_flow_graph_matches_the_reaction_tables(small_run):
    graph = event_graph(small_run)
    observed = {(type_, reactor) for (_, type_, reactor) in graph.flows}
    declared = {(event, service) for service, table in ORDER_REACTIONS.items() for event in table}
    # Every flow seen was declared; declared ones missing only if no such event happened (e.g. shipments never cancelled).
    assert observed - {("PlaceOrder", "orders")} <= declared
    assert ("PaymentFailed", "invoices") in observed and ("PaymentFailed", "orders") in observed
    assert graph.cycles() == [] and loops_in(small_run) == []
    assert graph.fan_out()["payments"] == 2 and graph.fan_in()["orders"] == 3
    assert graph.consumers()["PaymentFailed"] == 2
    delivered = sum(1 for e in small_run.trace.where(kind="deliver"))
    assert sum(graph.flows.values()) == delivered


def test_a_cyclic_choreography_is_stopped_by_its_horizon_with_one_sentence_and_its_loop_is_found():
    begun = time.perf_counter()
    with pytest.raises(HorizonExceeded) as caught:
        ping_pong(orders=3, seed=2, horizon=40).run()
    assert time.perf_counter() - begun < 20  # stopped by simulated time, not a hang
    message = str(caught.value)
    assert "horizon of 40 simulated seconds" in message and "message cycle" in message and "\n" not in message
    graph = event_graph(caught.value.trace)
    assert graph.cycles() == [["InvoiceCreated", "PaymentReceived"]]
    assert loops_in(caught.value.trace) == ["InvoiceCreated → PaymentReceived → InvoiceCreated"]
    assert "cycles: InvoiceCreated → PaymentReceived → InvoiceCreated" in graph.summary()
    # The loop is in the wiring: exactly one reaction differs from the order flow's.
    changed = {(s, ev) for s, t in PING_PONG_REACTIONS.items() for ev, cmd in t.items() if ORDER_REACTIONS[s].get(ev) != cmd}
    assert changed == {("invoices", "PaymentReceived")}


def test_a_self_loop_counts_as_a_cycle():
    from playground.runtime.trace import Trace

    trace = Trace()
    trace.record(0.0, "send", "a", "Tick", "m1", "c", None, {"to": ["a"]})
    trace.record(0.1, "deliver", "a", "Tick", "m1", "c", None)
    trace.record(0.2, "send", "a", "Tick", "m2", "c", "m1", {"to": ["a"]})
    assert event_graph(trace).cycles() == [["Tick"]]
