"""The static check: event → event edges read from reaction tables and handler source, and their cycles."""

import pytest

from playground.analysis.reaction_graph import emits_of, reaction_cycles, reaction_graph
from playground.errors import PlaygroundError
from playground.runtime.randomness import Randomness
from playground.scenarios.ping_pong import PING_PONG_REACTIONS
from playground.scenarios.spaghetti import event_spaghetti
from playground.services import SERVICES, Service, emit, handles
from playground.services.order_variants import RowLevelOrders
from playground.services.spaghetti import Marketing, QuietMarketing
from playground.wiring.choreography import ORDER_REACTIONS


def test_emits_follow_helper_methods_and_super_calls():
    assert emits_of(RowLevelOrders)["PlaceOrder"] == {"OrderPlaced", "DatabaseRowUpdated"}
    assert emits_of(Marketing)["Resegment"] == {"SegmentChanged"}
    # It reads what a handler *can* emit: the events of a super() call it drops still count (a false alarm, not a miss).
    assert emits_of(QuietMarketing)["Resegment"] == {"SegmentChanged"}
    assert emits_of(SERVICES["invoices"])["MarkInvoicePaid"] == {"InvoicePaid", "InvoiceNotFound"}


def test_the_order_flow_is_a_dag_and_the_miswired_one_loops():
    assert reaction_cycles(ORDER_REACTIONS, SERVICES) == reaction_cycles(ORDER_REACTIONS) == []
    assert reaction_cycles(PING_PONG_REACTIONS, SERVICES) == [["PaymentReceived", "InvoiceCreated"]]
    assert reaction_graph(PING_PONG_REACTIONS, SERVICES)["PaymentReceived"] == {"InvoiceCreated": {"invoices"}}


def test_both_grown_flows_are_dags():
    for style in ("ungoverned", "governed"):
        scenario = event_spaghetti(style=style)
        assert reaction_cycles(scenario.definitions()["reactions"], scenario.build_services(Randomness(0))) == []
        assert reaction_cycles(scenario.definitions()["reactions"], scenario) == []


def test_a_type_computed_at_run_time_is_refused_and_a_missing_service_is_named():
    class Dynamic(Service):
        name = "dynamic"

        @handles("LogAudit")
        def log(self, order_id):
            kind = "AuditLogged"
            return [emit(kind, order_id=order_id)]

    with pytest.raises(PlaygroundError, match="Dynamic.log emits an event whose type is computed at run time"):
        emits_of(Dynamic)
    with pytest.raises(PlaygroundError, match="name a service 'audit' that is not among the services given"):
        reaction_graph({"audit": {"OrderPlaced": "LogAudit"}}, SERVICES)
