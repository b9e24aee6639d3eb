"""The order flow: placed → invoiced → paid → shipped → completed → confirmed, as reactions and as a saga.

>>> ORDER_REACTIONS["shipping"]
{'InvoicePaid': 'ShipOrder'}
>>> ORDER_SAGA.stage_names
['order', 'invoice', 'payment', 'settle', 'ship', 'complete', 'confirm']
"""

from __future__ import annotations

from playground.orchestration.saga import SagaDefinition, Step

#: Order flow: service → {event it hears: command it runs}.
ORDER_REACTIONS: dict[str, dict[str, str]] = {
    "orders": {"OrderShipped": "CompleteOrder", "PaymentFailed": "CancelOrder"},
    "invoices": {"OrderPlaced": "CreateInvoice", "PaymentReceived": "MarkInvoicePaid",
                 "PaymentFailed": "CancelInvoice"},
    "payments": {"InvoiceCreated": "ChargePayment"},
    "shipping": {"InvoicePaid": "ShipOrder"},
    "email": {"OrderCompleted": "SendConfirmation"},
}

#: The steps every order needs, in order; each can be undone if a later one fails. The order itself is
#: placed before the saga starts (``OrderPlaced`` starts it), so that step counts as done and is undone,
#: like the others, if a later step fails.
ORDER_STEPS: tuple[Step, ...] = (
    Step("order", "PlaceOrder", "CancelOrder"),
    Step("invoice", "CreateInvoice", "CancelInvoice"),
    Step("payment", "ChargePayment", "RefundPayment"),
    Step("settle", "MarkInvoicePaid", compensation_required=False),
    Step("ship", "ShipOrder", "CancelShipment"),
    Step("complete", "CompleteOrder", compensation_required=False),
)

#: The order flow as one process: the core steps, then the confirmation email.
ORDER_SAGA = SagaDefinition("order", [
    *ORDER_STEPS,
    Step("confirm", "SendConfirmation", compensation_required=False),
], started_by="OrderPlaced")
