"""What a command answers with: the events that mean "done" and the events that mean "it failed".

The catalog says who owns a message; this table says which events a
service emits *in reply* to each command, which is what an orchestrator
needs to tell success from failure. A saga step may override it.

>>> REPLIES["ChargePayment"]
Replies(done=('PaymentReceived',), failed=('PaymentFailed',))
>>> replies_to("CancelHotel").failed
('HotelCancellationFailed',)
"""

from __future__ import annotations

from typing import NamedTuple


class Replies(NamedTuple):
    """The reply event types of one command."""

    done: tuple[str, ...]
    failed: tuple[str, ...] = ()


def _reservation(thing: str) -> dict[str, Replies]:
    return {
        f"Reserve{thing}": Replies((f"{thing}Reserved",), (f"{thing}Unavailable",)),
        f"Cancel{thing}": Replies((f"{thing}Cancelled",), (f"{thing}CancellationFailed",)),
    }


#: command → its reply events, for every command a service in the playground handles.
REPLIES: dict[str, Replies] = {
    # orders
    "PlaceOrder": Replies(("OrderPlaced",)),
    "CompleteOrder": Replies(("OrderCompleted",)),
    "CancelOrder": Replies(("OrderCancelled",)),
    "CreateInvoice": Replies(("InvoiceCreated",)),
    "MarkInvoicePaid": Replies(("InvoicePaid",), ("InvoiceNotFound",)),
    "CancelInvoice": Replies(("InvoiceCancelled",)),
    "ChargePayment": Replies(("PaymentReceived",), ("PaymentFailed",)),
    "RefundPayment": Replies(("PaymentRefunded",)),
    "ShipOrder": Replies(("OrderShipped",)),
    "CancelShipment": Replies(("ShipmentCancelled",)),
    "SendConfirmation": Replies(("ConfirmationSent",)),
    # onboarding
    "RegisterUser": Replies(("UserCreated",)),
    "SendWelcome": Replies(("WelcomeEmailSent",)),
    "OpenAccount": Replies(("AccountCreated",)),
    "CloseAccount": Replies(("AccountClosed",)),
    # travel
    **_reservation("Flight"),
    **_reservation("Hotel"),
    "ConfirmHotel": Replies(("HotelConfirmed",)),
    **_reservation("Car"),
    # freight
    "DispatchShipment": Replies(("ShipmentDispatched",)),
    "ArriveAtPort": Replies(("ShipmentAtPort",)),
    "ExpectArrival": Replies(("ShipmentAtPort",)),
    "DeliverShipment": Replies(("ShipmentDelivered",)),
    "ReturnShipment": Replies(("ShipmentReturned",)),
    "PlaceCustomsHold": Replies(("CustomsHoldPlaced",)),
    "ValidateDocuments": Replies(("DocumentsValidated",)),
    "WithdrawDeclaration": Replies(("DeclarationWithdrawn",)),
    "CalculateDuties": Replies(("DutiesCalculated",)),
    "VoidDuties": Replies(("DutiesVoided",)),
    "NotifyAgency": Replies(("AgencyCleared",), ("AgencyRefused",)),
    "RecordMilestone": Replies(("MilestoneRecorded",)),
    "NotifyCustomer": Replies(("CustomerNotified",)),
    "ChargeFreight": Replies(("FreightCharged",)),
    "ChargeDuties": Replies(("DutiesCharged",)),
    "RefundDuties": Replies(("DutiesRefunded",)),
    "ChargeReturn": Replies(("ReturnCharged",)),
}


def replies_to(command: str) -> Replies | None:
    """The reply events of ``command``, or None when the table does not know it."""
    return REPLIES.get(command)
