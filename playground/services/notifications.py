"""Services that follow the order flow without being needed for it: push notifications and sales reports.

The push service can mention the order's amount only if it knows it. It
can learn it three ways, and which one a wiring uses is the lesson of the
contracts chapter: it is told nothing (``SendPush`` alone), it keeps its own
copy of what ``OrderPlaced`` carried (``RememberOrder``), or it asks the
orders service each time (``LookUpOrder`` → ``GetOrder`` → ``NotifyWithDetails``).

>>> push = PushNotifications()
>>> push.handle("RememberOrder", {"order_id": "o1", "customer": "c1", "amount": 12.5})
[]
>>> push.handle("SendPush", {"order_id": "o1", "customer": "c1"})[0].payload["text"]
'Your order o1 (12.50 EUR) is complete'
"""

from __future__ import annotations

from typing import Any

from playground.services.base import Service, emit, handles


class PushNotifications(Service):
    """Sends one push notification per completed order, with the amount when it knows it."""

    name = "push"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.amounts: dict[str, float] = {}
        self.sent: list[tuple[str, str]] = []

    def _send(self, order_id: str, customer: str, amount: float | None):
        text = f"Your order {order_id} ({amount:.2f} EUR) is complete" if amount is not None \
            else f"Your order {order_id} is complete"
        self.sent.append((customer, text))
        self.note_effect("push", f"push:{order_id}", to=customer)
        return [emit("PushSent", order_id=order_id, customer=customer, text=text)]

    @handles("SendPush")
    def push(self, order_id: str, customer: str):
        return self._send(order_id, customer, self.amounts.get(order_id))

    @handles("RememberOrder")
    def remember(self, order_id: str, customer: str, amount: float):
        # Event-carried state: OrderPlaced already said what the order is worth; keep a copy.
        self.amounts[order_id] = amount
        return []

    @handles("LookUpOrder")
    def look_up(self, order_id: str):
        # The call back: the orders service must answer a question it was never asked before.
        return [emit("GetOrder", order_id=order_id)]

    @handles("NotifyWithDetails")
    def notify(self, order_id: str, customer: str, amount: float):
        return self._send(order_id, customer, amount)


class Reports(Service):
    """Counts completed orders in the sales report."""

    name = "reports"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sales: list[str] = []

    @handles("RecordSale")
    def record(self, order_id: str, customer: str):
        if order_id not in self.sales:
            self.sales.append(order_id)
            self.note_effect("report", order_id)
        return [emit("SaleRecorded", order_id=order_id)]
