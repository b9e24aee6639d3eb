"""Contracts of the fraud screening step that a growing order flow inserts before payment.

``OrderScreened`` carries the amount on, so payments can charge from it
alone (event-carried state) when it reacts to screening instead of invoices.
"""

from playground.catalog.base import MessageSpec

S, N = str, float

SCREENING_SPECS = [
    MessageSpec("ScreenOrder", "command", "screening", {"order_id": S, "amount": N},
                "Check an invoiced order for fraud before any money is taken."),
    MessageSpec("OrderScreened", "event", "screening", {"order_id": S, "amount": N},
                "An order passed the fraud check and may be charged."),
]
