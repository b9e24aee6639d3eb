"""Causation depth and the deepest chain, read from a run's causation ids."""

import pytest

from playground.analysis.lineage import causation_depth, deepest_chain, depths
from playground.errors import PlaygroundError
from playground.scenarios import order_flow
from playground.scenarios.spaghetti import event_spaghetti


def test_the_order_flow_chain_is_eight_messages_long_and_ends_with_the_confirmation():
    result = order_flow(orders=5, seed=3).run()
    assert set(causation_depth(result).values()) == {8}
    assert deepest_chain(result, "order-0002") == ["PlaceOrder", "OrderPlaced", "InvoiceCreated", "PaymentReceived",
                                                   "InvoicePaid", "OrderShipped", "OrderCompleted", "ConfirmationSent"]


def test_each_echo_adds_a_hop_to_the_grown_flow():
    result = event_spaghetti(orders=3, seed=3, teams=5).run()
    assert set(causation_depth(result).values()) == {11}
    assert deepest_chain(result, "order-0001")[-5:] == ["DatabaseRowUpdated", "CustomerRecordChanged",
                                                       "PointsRecalculated", "SegmentChanged", "AuditLogged"]
    assert min(depths(result).values()) == 1


def test_an_unknown_transaction_is_named():
    with pytest.raises(PlaygroundError, match="No message of the run belongs to 'order-9999'"):
        deepest_chain(order_flow(orders=1, seed=1).run(), "order-9999")
