"""Contracts added for the legacy ERP that still issues invoices.

The ERP speaks no catalog message at all. An adapter in front of it takes
the *invoices* component's place and accepts the ordinary invoice commands
(``CreateInvoice``, ``CancelInvoice``), so nothing that talks to invoices
can tell the ERP is there — except for one new answer: the ERP is often too
busy, and the adapter says so with ``InvoiceSystemBusy``.
"""

from playground.catalog.base import MessageSpec

LEGACY_SPECS = [
    MessageSpec("InvoiceSystemBusy", "event", "invoices", {"order_id": str, "reason": str},
                "The invoice system refused to issue an invoice this time; asking again later may work."),
]
