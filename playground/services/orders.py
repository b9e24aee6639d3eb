"""The order domain's services: orders, invoices, payments, shipping and email."""

from __future__ import annotations

from typing import Any

from playground.runtime.randomness import chance
from playground.services.base import Service, emit, handles


class Orders(Service):
    """Keeps each order's lifecycle: placed → completed or cancelled."""

    name = "orders"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.orders: dict[str, dict[str, Any]] = {}

    def _move(self, order_id: str, state: str) -> dict[str, Any]:
        order = self.orders[order_id]
        self.note_state(order_id, order["state"], state)
        order["state"] = state
        return order

    @handles("PlaceOrder")
    def place(self, order_id: str, customer: str, amount: float):
        known = self.orders.get(order_id)
        if known is not None:
            # A repeated PlaceOrder opens no second order. Redelivered after a failure that followed the
            # work, it announces the order again: that first announcement was lost, and nothing else would
            # move the order on. Any other repeat changes nothing and says nothing.
            if self.redelivered and known["state"] == "placed":
                return [emit("OrderPlaced", order_id=order_id, customer=known["customer"], amount=known["amount"])]
            return []
        self.orders[order_id] = {"customer": customer, "amount": amount, "state": None}
        self._move(order_id, "placed")
        return [emit("OrderPlaced", order_id=order_id, customer=customer, amount=amount)]

    @handles("CompleteOrder")
    def complete(self, order_id: str):
        order = self.orders.get(order_id)
        if self.redelivered and order is not None and order["state"] == "completed":  # its announcement was lost
            return [emit("OrderCompleted", order_id=order_id, customer=order["customer"])]
        if order is None or order["state"] != "placed":
            return []
        self._move(order_id, "completed")
        return [emit("OrderCompleted", order_id=order_id, customer=order["customer"])]

    @handles("CancelOrder")
    def cancel(self, order_id: str):
        order = self.orders.get(order_id)
        if self.redelivered and order is not None and order["state"] == "cancelled":  # its announcement was lost
            return [emit("OrderCancelled", order_id=order_id, customer=order["customer"])]
        if order is None or order["state"] != "placed":
            return []
        self._move(order_id, "cancelled")
        return [emit("OrderCancelled", order_id=order_id, customer=order["customer"])]


class Invoices(Service):
    """Issues invoices and settles them; a payment for a voided invoice is reported, not applied."""

    name = "invoices"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.invoices: dict[str, dict[str, Any]] = {}

    @handles("CreateInvoice")
    def create(self, order_id: str, amount: float):
        invoice = self.invoices.get(order_id)
        if invoice is None:
            invoice = self.invoices[order_id] = {"invoice_id": f"inv-{order_id}", "amount": amount, "status": "open"}
            self.note_state(order_id, None, "open")
        return [emit("InvoiceCreated", order_id=order_id, invoice_id=invoice["invoice_id"], amount=invoice["amount"])]

    @handles("MarkInvoicePaid")
    def mark_paid(self, order_id: str, payment_id: str):
        invoice = self.invoices.get(order_id)
        if invoice is None or invoice["status"] == "cancelled":
            return [emit("InvoiceNotFound", order_id=order_id, payment_id=payment_id)]
        if invoice["status"] == "open":
            self.note_state(order_id, "open", "paid")
            invoice["status"] = "paid"
        return [emit("InvoicePaid", order_id=order_id, invoice_id=invoice["invoice_id"])]

    @handles("CancelInvoice")
    def cancel(self, order_id: str):
        invoice = self.invoices.get(order_id)
        if invoice is None:
            return [emit("InvoiceCancelled", order_id=order_id, invoice_id="")]
        if invoice["status"] != "cancelled":
            self.note_state(order_id, invoice["status"], "cancelled")
            invoice["status"] = "cancelled"
        return [emit("InvoiceCancelled", order_id=order_id, invoice_id=invoice["invoice_id"])]


class Payments(Service):
    """Charges and refunds, at most once per order (the order id is the idempotency key)."""

    name = "payments"

    def __init__(self, *, decline_rate: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.decline_rate = decline_rate
        self.charges: dict[str, dict[str, Any]] = {}

    @handles("ChargePayment")
    def charge(self, order_id: str, amount: float):
        charge = self.charges.get(order_id)
        if charge is None:
            if chance(self.rng, self.decline_rate):
                return [emit("PaymentFailed", order_id=order_id, reason="card declined")]
            charge = self.charges[order_id] = {"payment_id": f"pay-{order_id}", "amount": amount, "refunded": False}
            self.note_effect("charge", order_id, amount=amount)
        return [emit("PaymentReceived", order_id=order_id, payment_id=charge["payment_id"], amount=charge["amount"])]

    @handles("RefundPayment")
    def refund(self, order_id: str):
        charge = self.charges.get(order_id)
        if charge is None:
            return [emit("PaymentRefunded", order_id=order_id, payment_id="", amount=0.0)]
        if not charge["refunded"]:
            charge["refunded"] = True
            self.note_effect("refund", order_id, amount=charge["amount"])
        return [emit("PaymentRefunded", order_id=order_id, payment_id=charge["payment_id"], amount=charge["amount"])]


class Shipping(Service):
    """Sends goods and can call a shipment back."""

    name = "shipping"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.shipments: dict[str, str] = {}

    @handles("ShipOrder")
    def ship(self, order_id: str):
        if order_id not in self.shipments:
            self.shipments[order_id] = "shipped"
            self.note_effect("ship", order_id)
        return [emit("OrderShipped", order_id=order_id, shipment_id=f"shp-{order_id}")]

    @handles("CancelShipment")
    def cancel(self, order_id: str):
        if self.shipments.get(order_id) == "shipped":
            self.shipments[order_id] = "cancelled"
            self.note_effect("unship", order_id)
        return [emit("ShipmentCancelled", order_id=order_id, shipment_id=f"shp-{order_id}")]


class Email(Service):
    """Sends emails. Deliberately naive: every command sends one, duplicates included."""

    name = "email"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sent: list[tuple[str, str]] = []

    @handles("SendConfirmation")
    def confirm(self, order_id: str, customer: str):
        self.sent.append((customer, f"Your order {order_id} is on its way"))
        self.note_effect("email", f"confirmation:{order_id}", to=customer)
        return [emit("ConfirmationSent", order_id=order_id, customer=customer)]

    @handles("SendWelcome")
    def welcome(self, user_id: str, email: str):
        self.sent.append((email, "Welcome aboard"))
        self.note_effect("email", f"welcome:{user_id}", to=email)
        return [emit("WelcomeEmailSent", user_id=user_id, email=email)]
