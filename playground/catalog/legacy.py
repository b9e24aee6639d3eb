"""Contracts of the adapter in front of the legacy ERP, the old system that still issues invoices.

The ERP itself speaks no catalog message at all; the adapter (component
``erp``) accepts these commands, talks to the ERP in its own format and
answers with these events. ``ErpBusy`` is how the adapter reports the ERP's
frequent "try again later".
"""

from playground.catalog.base import MessageSpec

S, N = str, float

LEGACY_SPECS = [
    MessageSpec("PostInvoiceToErp", "command", "erp", {"order_id": S, "amount": N},
                "Have the legacy ERP issue an invoice for an order."),
    MessageSpec("VoidInvoiceInErp", "command", "erp", {"order_id": S},
                "Have the legacy ERP void an order's invoice."),
    MessageSpec("ErpInvoicePosted", "event", "erp", {"order_id": S, "invoice_id": S, "amount": N},
                "The legacy ERP issued an invoice."),
    MessageSpec("ErpBusy", "event", "erp", {"order_id": S, "reason": S},
                "The legacy ERP refused the request this time; asking again later may work."),
    MessageSpec("ErpInvoiceVoided", "event", "erp", {"order_id": S, "invoice_id": S},
                "The legacy ERP voided an invoice (or there was none to void)."),
]
