"""The envelope every message travels in, whichever wiring carries it.

>>> ids = MessageIds()
>>> first = Envelope("OrderPlaced", {"order_id": "order-0001"}, ids.next(),
...                  correlation_id="order-0001", causation_id=None,
...                  schema_version=1, time=0.5, sender="orders")
>>> first.message_id, first.caused("InvoiceCreated", {}, ids.next(), time=0.6, sender="invoices").causation_id
('m000001', 'm000001')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

#: The inbox (and Kafka topic suffix) where messages nobody could handle are kept.
DEAD_LETTERS = "dead-letters"


@dataclass(slots=True)
class Envelope:
    """One message: what happened (or what to do), for which business transaction, caused by what.

    Treat it as immutable; it is not frozen only because frozen dataclasses
    are several times slower to build, and every hop builds one.
    """

    type: str
    payload: dict[str, Any]
    message_id: str
    correlation_id: str | None
    causation_id: str | None
    schema_version: int
    time: float
    sender: str

    def caused(self, type: str, payload: dict[str, Any], message_id: str, *,
               time: float, sender: str, schema_version: int = 1) -> "Envelope":
        """A new message caused by this one: same business transaction, causation pointing here."""
        return Envelope(type, payload, message_id, self.correlation_id, self.message_id,
                        schema_version, time, sender)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class MessageIds:
    """Deterministic message ids for one run: ``m000001``, ``m000002``…

    Counting instead of uuid4 keeps traces byte-identical across runs.
    """

    def __init__(self, prefix: str = "m"):
        self._prefix = prefix
        self._count = 0

    def next(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count:06d}"


class DeadLetter(NamedTuple):
    """A message that could not be handled, kept with the reason and where it failed."""

    envelope: Envelope
    reason: str
    at: str
