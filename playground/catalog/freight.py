"""Contracts of the freight domain: a shipment's milestones, and the customs clearance inside it.

A shipment is dispatched, sails for days, reaches port, is held by customs,
is released (or rejected) and is delivered (or sent back). Each of those
milestones is an event that carries a ``milestone`` field in plain words, so
tracking, notifications and billing can follow any of them with one command.
Customs clearance itself — validate the documents, calculate the duties,
notify the agency — is a short sub-process whose end is announced as one
event owned by ``customs``: ``CustomsReleased`` or ``CustomsRejected``.
"""

from playground.catalog.base import MessageSpec

S, N = str, float


def _milestone(name: str, owner: str, fields: dict, meaning: str) -> MessageSpec:
    return MessageSpec(name, "event", owner, {"shipment_id": S, **fields, "milestone": S}, meaning)


FREIGHT_SPECS = [
    # the carrier: the physical journey
    MessageSpec("DispatchShipment", "command", "carrier", {"shipment_id": S, "shipper": S, "value": N},
                "Load a shipment and send it on its way."),
    MessageSpec("ArriveAtPort", "command", "carrier", {"shipment_id": S},
                "Report that a shipment's vessel has reached the port of destination."),
    MessageSpec("ExpectArrival", "command", "carrier", {"shipment_id": S},
                "Ask to hear when a shipment reaches port (the answer is ShipmentAtPort, days later)."),
    MessageSpec("DeliverShipment", "command", "carrier", {"shipment_id": S},
                "Take a cleared shipment from the port to the consignee."),
    MessageSpec("ReturnShipment", "command", "carrier", {"shipment_id": S},
                "Send a shipment that may not enter back to its shipper."),
    _milestone("ShipmentDispatched", "carrier", {"shipper": S, "value": N}, "A shipment left its shipper."),
    _milestone("ShipmentAtPort", "carrier", {"shipper": S, "value": N}, "A shipment reached the port of destination."),
    _milestone("ShipmentDelivered", "carrier", {}, "A shipment reached its consignee."),
    _milestone("ShipmentReturned", "carrier", {}, "A shipment refused entry is on its way back to its shipper."),
    # the port: the hold that opens customs clearance
    MessageSpec("PlaceCustomsHold", "command", "port", {"shipment_id": S, "shipper": S, "value": N},
                "Keep an arrived shipment at the port until customs clears it."),
    _milestone("CustomsHoldPlaced", "port", {"shipper": S, "value": N},
               "A shipment waits at the port for customs clearance."),
    # inside customs clearance
    MessageSpec("ValidateDocuments", "command", "documents", {"shipment_id": S, "shipper": S, "value": N},
                "Check a shipment's papers and lodge its customs declaration."),
    MessageSpec("WithdrawDeclaration", "command", "documents", {"shipment_id": S},
                "Withdraw a shipment's customs declaration."),
    MessageSpec("DocumentsValidated", "event", "documents", {"shipment_id": S, "value": N, "declaration": S},
                "A shipment's papers are in order and its declaration is lodged."),
    MessageSpec("DeclarationWithdrawn", "event", "documents", {"shipment_id": S},
                "A shipment's customs declaration is withdrawn (or was never lodged)."),
    MessageSpec("CalculateDuties", "command", "duties", {"shipment_id": S, "value": N},
                "Assess the import duties a shipment owes."),
    MessageSpec("VoidDuties", "command", "duties", {"shipment_id": S},
                "Cancel a shipment's duty assessment."),
    MessageSpec("DutiesCalculated", "event", "duties", {"shipment_id": S, "duty": N},
                "A shipment's import duties are assessed."),
    MessageSpec("DutiesVoided", "event", "duties", {"shipment_id": S},
                "A shipment's duty assessment is cancelled (or never existed)."),
    MessageSpec("NotifyAgency", "command", "agency", {"shipment_id": S, "duty": N},
                "File a shipment's declaration and duties with the customs agency."),
    _milestone("AgencyCleared", "agency", {"duty": N}, "The customs agency accepted a shipment's filing."),
    _milestone("AgencyRefused", "agency", {"reason": S}, "The customs agency rejected a shipment's documents."),
    # the boundary's end, announced once
    _milestone("CustomsReleased", "customs", {"duty": N}, "Customs clearance is over: the shipment may enter."),
    _milestone("CustomsRejected", "customs", {"reason": S},
               "Customs clearance is over: the documents were rejected and its own steps are undone."),
    # the milestone consumers
    MessageSpec("RecordMilestone", "command", "tracking", {"shipment_id": S, "milestone": S},
                "Add a milestone to a shipment's tracking page."),
    MessageSpec("MilestoneRecorded", "event", "tracking", {"shipment_id": S, "milestone": S},
                "A shipment's tracking page shows a milestone."),
    MessageSpec("NotifyCustomer", "command", "notifications", {"shipment_id": S, "milestone": S},
                "Tell the consignee about a milestone."),
    MessageSpec("CustomerNotified", "event", "notifications", {"shipment_id": S, "milestone": S},
                "The consignee was told about a milestone."),
    MessageSpec("ChargeFreight", "command", "billing", {"shipment_id": S, "value": N},
                "Invoice the shipper for the freight."),
    MessageSpec("ChargeDuties", "command", "billing", {"shipment_id": S, "duty": N},
                "Invoice the consignee for a shipment's import duties."),
    MessageSpec("RefundDuties", "command", "billing", {"shipment_id": S},
                "Refund import duties charged for a shipment."),
    MessageSpec("ChargeReturn", "command", "billing", {"shipment_id": S},
                "Invoice the shipper for carrying a refused shipment back."),
    MessageSpec("FreightCharged", "event", "billing", {"shipment_id": S, "amount": N},
                "The shipper was invoiced for the freight."),
    MessageSpec("DutiesCharged", "event", "billing", {"shipment_id": S, "amount": N},
                "The consignee was invoiced for the import duties."),
    MessageSpec("DutiesRefunded", "event", "billing", {"shipment_id": S, "amount": N},
                "Import duties charged for a shipment were refunded (or none had been charged)."),
    MessageSpec("ReturnCharged", "event", "billing", {"shipment_id": S, "amount": N},
                "The shipper was invoiced for the return."),
]
