"""Several workers per inbox: lanes keyed by correlation id keep each transaction in order and add capacity."""

import pytest

from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.scenarios.order_flow import order_flow


def _handled(result, service):
    return [(e.correlation_id, e.type) for e in result.trace.entries if e.kind == "start" and e.at == service]


def test_more_workers_finish_a_saturating_workload_sooner_and_change_no_outcome():
    one = order_flow(orders=40, rate=20, seed=2).run()
    four = order_flow(orders=40, rate=20, seed=2).with_workers(4).run()
    assert one.counts() == four.counts() == {"completed": 40}
    assert four.finished_at < one.finished_at / 2


def test_one_transaction_keeps_its_order_at_each_service_with_many_workers():
    result = order_flow(orders=30, rate=20, seed=5).with_workers({"invoices": 3}).run()
    by_order = {}
    for cid, type_ in _handled(result, "invoices"):
        by_order.setdefault(cid, []).append(type_)
    assert all(types == ["OrderPlaced", "PaymentReceived"] for types in by_order.values())


def test_the_same_seed_and_workers_give_the_same_trace():
    a = order_flow(orders=15, rate=10, seed=3, wiring="orchestration").with_workers(2).run()
    b = order_flow(orders=15, rate=10, seed=3, wiring="orchestration").with_workers(2).run()
    assert a.trace.digest() == b.trace.digest()


def test_workers_for_an_unknown_component_or_below_one_are_refused():
    with pytest.raises(ScenarioError, match="no component called 'paymnts'"):
        order_flow(orders=2).with_workers({"paymnts": 2})
    with pytest.raises(ScenarioError, match="workers of payments must be a whole number of at least 1"):
        order_flow(orders=2).with_workers({"payments": 0})
    with pytest.raises(ValueError, match="at least 1"):
        Bus(workers={"payments": 0})


def test_a_decision_cost_slows_the_orchestrator_and_its_workers_share_it():
    from playground.runtime.faults import FaultPlan

    cost = FaultPlan(latency={"orchestrator": 0.05})
    free = order_flow(orders=30, rate=20, seed=4, wiring="orchestration").run()
    slow = order_flow(orders=30, rate=20, seed=4, wiring="orchestration", faults=cost).with_workers(
        {"orchestrator": 1}).run()
    shared = order_flow(orders=30, rate=20, seed=4, wiring="orchestration", faults=cost).with_workers(
        {"orchestrator": 4}).run()
    assert free.finished_at < shared.finished_at < slow.finished_at
    assert slow.counts() == shared.counts() == {"completed": 30}
