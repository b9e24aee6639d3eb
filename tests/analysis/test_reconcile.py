import pytest

from playground.analysis.reconcile import unanswered
from playground.errors import PlaygroundError
from playground.runtime.faults import Drop, FaultPlan
from playground.scenarios import order_flow


def test_a_lost_event_leaves_exactly_its_transaction_unanswered():
    lost = order_flow(orders=20, seed=3, faults=FaultPlan(messages=[Drop(type="OrderCompleted", inbox="email", nth=7)])).run()
    assert unanswered(lost, "OrderCompleted", "ConfirmationSent") == ["order-0007"]
    assert lost.counts() == {"completed": 20}
    assert unanswered(lost, "OrderPlaced", "OrderCompleted") == []


def test_cause_and_follow_up_must_differ():
    with pytest.raises(PlaygroundError, match="must be different"):
        unanswered(order_flow(orders=1, seed=1).run(), "OrderPlaced", "OrderPlaced")
