"""Contracts of the services that only follow the order flow: push notifications and sales reports.

None of them is needed to complete an order; they react to what happened.
That makes them the classic candidates to take *out* of a central workflow
(the god-orchestrator experiment) and the classic newcomers that join a
running choreography (the push-notification experiment).

The push service can be wired three ways, each with its own commands:
``SendPush`` (text without details), ``RememberOrder`` + ``SendPush``
(it keeps its own copy of what ``OrderPlaced`` carried), or ``LookUpOrder``
+ ``NotifyWithDetails`` (it asks the orders service — a call back).
"""

from playground.catalog.base import MessageSpec

S, N = str, float

NOTIFICATION_SPECS = [
    MessageSpec("SendPush", "command", "push", {"order_id": S, "customer": S},
                "Tell a customer's phone that their order is complete."),
    MessageSpec("RememberOrder", "command", "push", {"order_id": S, "customer": S, "amount": N},
                "Keep the details of a new order, so a later notification can mention them."),
    MessageSpec("LookUpOrder", "command", "push", {"order_id": S},
                "Ask the orders service for an order's details before notifying."),
    MessageSpec("NotifyWithDetails", "command", "push", {"order_id": S, "customer": S, "amount": N},
                "Notify a customer, using order details the orders service sent back."),
    MessageSpec("PushSent", "event", "push", {"order_id": S, "customer": S, "text": S},
                "A push notification reached a customer's phone."),
    MessageSpec("RecordSale", "command", "reports", {"order_id": S, "customer": S},
                "Count a completed order in the sales report."),
    MessageSpec("SaleRecorded", "event", "reports", {"order_id": S},
                "A completed order is counted in the sales report."),
]
