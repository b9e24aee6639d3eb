"""The freight services: every command is idempotent per shipment, and undoing is safe before or after doing."""

import pytest

from playground.errors import PlaygroundError
from playground.services.freight import Agency, Billing, Carrier, Documents, Duties, Notifications, Tracking


def _effects(service):
    return [n.detail["effect"] for n in service.take_notes() if n.kind == "effect"]


def test_the_carrier_moves_a_shipment_through_its_milestones_once():
    carrier = Carrier()
    carrier.handle("DispatchShipment", {"shipment_id": "s1", "shipper": "a", "value": 100.0})
    (at_port,) = carrier.handle("ArriveAtPort", {"shipment_id": "s1"})
    assert at_port.payload == {"shipment_id": "s1", "shipper": "a", "value": 100.0, "milestone": "at port"}
    assert carrier.handle("ExpectArrival", {"shipment_id": "s1"}) == []
    carrier.take_notes()
    for _ in range(2):
        carrier.handle("ReturnShipment", {"shipment_id": "s1"})
    assert _effects(carrier) == ["return"] and carrier.shipments["s1"]["status"] == "returned"
    with pytest.raises(PlaygroundError, match="the carrier never dispatched s9"):
        carrier.handle("ArriveAtPort", {"shipment_id": "s9"})


def test_customs_desks_do_and_undo_once_each():
    documents, duties = Documents(), Duties()
    for _ in range(2):
        documents.handle("ValidateDocuments", {"shipment_id": "s1", "shipper": "a", "value": 1000.0})
        (calculated,) = duties.handle("CalculateDuties", {"shipment_id": "s1", "value": 1000.0})
    assert calculated.payload["duty"] == 80.0
    for _ in range(2):
        documents.handle("WithdrawDeclaration", {"shipment_id": "s1"})
        duties.handle("VoidDuties", {"shipment_id": "s1"})
    assert _effects(documents) == ["lodge", "withdraw"] and _effects(duties) == ["assess", "void"]
    assert documents.lodged() == []
    # undoing what never happened changes nothing, and a late validation does not lodge it again
    documents.handle("WithdrawDeclaration", {"shipment_id": "s2"})
    documents.handle("ValidateDocuments", {"shipment_id": "s2", "shipper": "a", "value": 5.0})
    assert _effects(documents) == [] and documents.lodged() == []


def test_the_agency_refuses_exactly_the_shipments_it_was_given():
    agency = Agency(refuse={"s2"})
    answers = [agency.handle("NotifyAgency", {"shipment_id": s, "duty": 1.0})[0] for s in ("s1", "s2", "s1")]
    assert [a.type for a in answers] == ["AgencyCleared", "AgencyRefused", "AgencyCleared"]
    assert answers[1].payload["milestone"] == "customs rejected"


def test_followers_record_each_milestone_once_and_billing_refunds_only_what_it_charged():
    tracking, notifications, billing = Tracking(), Notifications(), Billing()
    for _ in range(2):
        tracking.handle("RecordMilestone", {"shipment_id": "s1", "milestone": "at port"})
        notifications.handle("NotifyCustomer", {"shipment_id": "s1", "milestone": "at port"})
        billing.handle("ChargeDuties", {"shipment_id": "s1", "duty": 80.0})
    assert tracking.pages == {"s1": ["at port"]} and notifications.sent == [("s1", "at port")]
    assert billing.owed("s1") == 80.0
    (refund,) = billing.handle("RefundDuties", {"shipment_id": "s1"})
    billing.handle("RefundDuties", {"shipment_id": "s1"})
    assert refund.payload["amount"] == 80.0 and billing.owed("s1") == 0.0
    (nothing,) = billing.handle("RefundDuties", {"shipment_id": "s2"})
    assert nothing.payload["amount"] == 0.0 and billing.owed("s2") == 0.0
