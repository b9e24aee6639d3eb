"""Contracts of the loyalty domain: a newcomer that joins the order flow by listening, never by asking.

Its commands take their fields straight from events the order flow already
publishes (``OrderPlaced`` carries the amount, ``OrderCompleted`` says the
order is done), so no producer has to change for it to work.
"""

from playground.catalog.base import MessageSpec

S, N = str, float

LOYALTY_SPECS = [
    MessageSpec("RecordPurchase", "command", "loyalty", {"order_id": S, "customer": S, "amount": N},
                "Remember what an order is worth, so its points can be awarded when it completes."),
    MessageSpec("AwardPoints", "command", "loyalty", {"order_id": S, "customer": S},
                "Credit a customer with the points a completed order earned."),
    MessageSpec("PointsAwarded", "event", "loyalty", {"order_id": S, "customer": S, "points": int},
                "A customer earned loyalty points for an order."),
]
