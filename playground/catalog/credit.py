"""Contracts of the credit domain: a system of record for credit limits, and a sales team that keeps a copy.

The credit service owns every customer's credit limit and announces each
change with the record's new version (``CreditLimitChanged``). Sales decides
orders on credit against its own copy of those limits, fed by the events:
event-carried state transfer. ``CreditLimitsStated`` is the record read in
one go, for reconciliation; ``CreditCheckRequested`` / ``CreditChecked`` is a
question put to the record when a copy is known to be behind.
"""

from playground.catalog.base import MessageSpec

S, N, I, L = str, float, int, list

CREDIT_SPECS = [
    MessageSpec("SetCreditLimit", "command", "credit", {"customer": S, "limit": N},
                "Change a customer's credit limit in the system of record."),
    MessageSpec("CreditLimitChanged", "event", "credit", {"customer": S, "limit": N, "version": I},
                "A customer's credit limit changed; version counts the record's changes for that customer."),
    MessageSpec("ReconcileCredit", "command", "credit", {}, "State every customer's limit as the record holds it now."),
    MessageSpec("CreditLimitsStated", "event", "credit", {"limits": L},
                "The record's limits, as [customer, limit, version] rows, for copies to compare with."),
    MessageSpec("CheckCredit", "command", "credit", {"order_id": S, "customer": S, "amount": N},
                "Look a customer's limit up in the record for one order."),
    MessageSpec("CreditChecked", "event", "credit",
                {"order_id": S, "customer": S, "amount": N, "limit": N, "version": I},
                "The record's limit for one order's customer, as it is now."),
    MessageSpec("OrderOnCredit", "event", "storefront",
                {"order_id": S, "customer": S, "amount": N, "credit_version": I},
                "A customer ordered on credit; credit_version is the record's version the checkout page showed."),
    MessageSpec("TakeOrder", "command", "sales", {"order_id": S, "customer": S, "amount": N, "credit_version": I},
                "Accept an order on credit if it fits the customer's limit, else decline it."),
    MessageSpec("CopyCreditLimit", "command", "sales", {"customer": S, "limit": N, "version": I},
                "Update sales' copy of a customer's credit limit."),
    MessageSpec("CompareCreditLimits", "command", "sales", {"limits": L},
                "Compare sales' copies with the record's limits and repair those that differ."),
    MessageSpec("DecideOnRecord", "command", "sales",
                {"order_id": S, "customer": S, "amount": N, "limit": N, "version": I},
                "Decide an order with the limit the record gave."),
    MessageSpec("CreditCheckRequested", "event", "sales", {"order_id": S, "customer": S, "amount": N},
                "Sales' copy is older than the order; it asks the record before deciding."),
    MessageSpec("CreditOrderAccepted", "event", "sales",
                {"order_id": S, "customer": S, "amount": N, "limit": N},
                "An order on credit was accepted: it fits the limit sales read."),
    MessageSpec("CreditOrderDeclined", "event", "sales",
                {"order_id": S, "customer": S, "amount": N, "limit": N},
                "An order on credit was declined: it exceeds the limit sales read."),
]
