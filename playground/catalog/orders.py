"""Contracts of the order domain: orders, invoices, payments, shipping and email."""

from playground.catalog.base import MessageSpec

S, N = str, float


def _cmd(name, owner, fields, meaning, **kw):
    return MessageSpec(name, "command", owner, fields, meaning, **kw)


def _evt(name, owner, fields, meaning, **kw):
    return MessageSpec(name, "event", owner, fields, meaning, **kw)


ORDER_SPECS = [
    _cmd("PlaceOrder", "orders", {"order_id": S, "customer": S, "amount": N}, "Take a customer's order."),
    _cmd("CompleteOrder", "orders", {"order_id": S}, "Mark an order as fulfilled."),
    _cmd("CancelOrder", "orders", {"order_id": S}, "Mark an order as cancelled."),
    _evt("OrderPlaced", "orders", {"order_id": S, "customer": S, "amount": N}, "A customer placed an order."),
    _evt("OrderCompleted", "orders", {"order_id": S, "customer": S}, "An order was shipped and is done."),
    _evt("OrderCancelled", "orders", {"order_id": S, "customer": S}, "An order will not be fulfilled."),
    _cmd("CreateInvoice", "invoices", {"order_id": S, "amount": N}, "Issue an invoice for an order."),
    _cmd("MarkInvoicePaid", "invoices", {"order_id": S, "payment_id": S}, "Record that an invoice was paid."),
    _cmd("CancelInvoice", "invoices", {"order_id": S}, "Void an order's invoice."),
    _evt("InvoiceCreated", "invoices", {"order_id": S, "invoice_id": S, "amount": N}, "An invoice was issued."),
    _evt("InvoicePaid", "invoices", {"order_id": S, "invoice_id": S}, "An invoice was settled."),
    _evt("InvoiceCancelled", "invoices", {"order_id": S, "invoice_id": S}, "An invoice was voided."),
    _evt("InvoiceNotFound", "invoices", {"order_id": S, "payment_id": S},
         "A payment arrived for an invoice that does not exist or was voided."),
    _cmd("ChargePayment", "payments", {"order_id": S, "amount": N}, "Take the customer's money."),
    _cmd("RefundPayment", "payments", {"order_id": S}, "Give the customer's money back."),
    _evt("PaymentReceived", "payments", {"order_id": S, "payment_id": S, "amount": N}, "Money was taken."),
    _evt("PaymentFailed", "payments", {"order_id": S, "reason": S}, "The charge was declined."),
    _evt("PaymentRefunded", "payments", {"order_id": S, "payment_id": S, "amount": N}, "Money was given back."),
    _cmd("ShipOrder", "shipping", {"order_id": S}, "Send the goods."),
    _cmd("CancelShipment", "shipping", {"order_id": S}, "Call back a shipment."),
    _evt("OrderShipped", "shipping", {"order_id": S, "shipment_id": S}, "The goods left the warehouse."),
    _evt("ShipmentCancelled", "shipping", {"order_id": S, "shipment_id": S}, "A shipment was called back."),
    _cmd("SendConfirmation", "email", {"order_id": S, "customer": S}, "Email the customer that the order is on its way."),
    _evt("ConfirmationSent", "email", {"order_id": S, "customer": S}, "The confirmation email went out."),
]
