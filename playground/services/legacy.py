"""The legacy ERP that still issues invoices, the adapter in front of it, and the strangler facade.

The ERP is an old monolith with an old interface: one text line per
request, amounts in cents, a new document for every request (ask twice,
get two invoices), and a habit of answering "busy, try later". It knows
nothing about messages, contracts or correlation ids.

:class:`ErpAdapter` stands where the invoices service stands and accepts
the same commands, translating them into ERP lines and the answers back
into the same events. It adds what the ERP lacks — one invoice per order
however often it is asked — so the orchestrator can safely retry.
:class:`StranglerFacade` is the migration: it sends a growing share of
orders to the new :class:`~playground.services.orders.Invoices` service and
the rest to the ERP, always the same side for the same order.

>>> erp = LegacyErp(busy=0.0)
>>> erp.call("INV;ORDER=order-0001;AMT=1999"), erp.call("INV;ORDER=order-0001;AMT=1999")
('OK;DOC=100001', 'OK;DOC=100002')
>>> adapter = ErpAdapter(erp=LegacyErp(busy=0.0))
>>> [e.type for e in adapter.handle("CreateInvoice", {"order_id": "order-0001", "amount": 19.99}) * 2]
['InvoiceCreated', 'InvoiceCreated']
>>> len(adapter.erp.documents)
1
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from playground.runtime.checks import fraction
from playground.runtime.randomness import Unseeded, chance
from playground.services.base import Service, emit, handles
from playground.services.orders import Invoices


class ErpUnavailable(Exception):
    """The ERP refused a request this time (its famous "ERP-503")."""


class LegacyErp:
    """The old system itself: not a service, not on the bus, not idempotent.

    Args:
        busy: the share of invoice requests it refuses with "try later" (seeded by ``rng``).
    """

    def __init__(self, *, busy: float = 0.2, rng: random.Random | None = None):
        self.busy = fraction("busy", busy)
        self.rng = rng if rng is not None else Unseeded(
            "The legacy ERP", "build it with rng=, or build its ErpAdapter with rng=randomness.stream('invoices')")
        self.documents: dict[int, dict[str, Any]] = {}
        self._next = 100001

    def call(self, line: str) -> str:
        """One request line such as ``INV;ORDER=order-0001;AMT=1999``; returns ``OK;DOC=<number>``."""
        verb, *fields = line.split(";")
        args = dict(field.split("=", 1) for field in fields)
        if verb == "INV":
            if chance(self.rng, self.busy):
                raise ErpUnavailable("ERP-503 busy, try later")
            doc = self._next
            self._next += 1
            self.documents[doc] = {"order": args["ORDER"], "cents": int(args["AMT"]), "status": "open"}
            return f"OK;DOC={doc}"
        if verb in ("VOID", "PAID"):
            self.documents[int(args["DOC"])]["status"] = "void" if verb == "VOID" else "paid"
            return f"OK;DOC={args['DOC']}"
        raise ValueError(f"unknown ERP verb {verb!r}")


class ErpAdapter(Service):
    """The invoices component, implemented by translating every command for the legacy ERP."""

    name = "invoices"

    def __init__(self, *, erp: LegacyErp | None = None, busy: float = 0.2, **kwargs: Any):
        super().__init__(**kwargs)
        self.erp = erp if erp is not None else LegacyErp(busy=busy, rng=self.rng)
        self.documents: dict[str, int] = {}  # order id → ERP document: the idempotency the ERP lacks

    @handles("CreateInvoice")
    def create(self, order_id: str, amount: float):
        doc = self.documents.get(order_id)
        if doc is None:
            try:
                answer = self.erp.call(f"INV;ORDER={order_id};AMT={round(amount * 100)}")
            except ErpUnavailable as exc:
                return [emit("InvoiceSystemBusy", order_id=order_id, reason=str(exc))]
            doc = self.documents[order_id] = int(answer.split("DOC=")[1])
            self.note_state(order_id, None, "open")
        return [emit("InvoiceCreated", order_id=order_id, invoice_id=f"ERP-{doc}", amount=amount)]

    @handles("MarkInvoicePaid")
    def mark_paid(self, order_id: str, payment_id: str):
        doc = self.documents.get(order_id)
        if doc is None or self.erp.documents[doc]["status"] == "void":
            return [emit("InvoiceNotFound", order_id=order_id, payment_id=payment_id)]
        if self.erp.documents[doc]["status"] == "open":
            self.erp.call(f"PAID;DOC={doc}")
            self.note_state(order_id, "open", "paid")
        return [emit("InvoicePaid", order_id=order_id, invoice_id=f"ERP-{doc}")]

    @handles("CancelInvoice")
    def cancel(self, order_id: str):
        doc = self.documents.get(order_id)
        if doc is None:
            return [emit("InvoiceCancelled", order_id=order_id, invoice_id="")]
        if self.erp.documents[doc]["status"] != "void":
            self.note_state(order_id, self.erp.documents[doc]["status"], "cancelled")
            self.erp.call(f"VOID;DOC={doc}")
        return [emit("InvoiceCancelled", order_id=order_id, invoice_id=f"ERP-{doc}")]


def goes_to_new(order_id: str, migrated: float) -> bool:
    """Whether the strangler sends ``order_id`` to the new service: stable per order, ``migrated`` of them.

    >>> sum(goes_to_new(f"order-{i:04d}", 0.5) for i in range(1000))
    489
    """
    return zlib.crc32(order_id.encode()) % 1000 < migrated * 1000


class StranglerFacade(ErpAdapter):
    """The invoices component during the migration: the new service for ``migrated`` of the orders, the ERP for the rest."""

    def __init__(self, *, migrated: float = 0.5, **kwargs: Any):
        super().__init__(**kwargs)
        self.migrated = fraction("migrated", migrated)
        self.modern = Invoices()

    def handle(self, command: str, payload: dict[str, Any]):
        if goes_to_new(payload.get("order_id", ""), self.migrated):
            emitted = self.modern.handle(command, payload)
            self.notes.extend(self.modern.take_notes())
            return emitted
        return super().handle(command, payload)
