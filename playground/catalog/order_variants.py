"""Contracts that other versions of the order service publish or answer, for the contracts chapter.

* ``DatabaseRowUpdated`` is a technical event: one per changed column of the
  orders table, meaning nothing outside that table's schema. A consumer that
  listens to it (``WatchOrderRow``) must know the schema — and breaks when
  the schema changes.
* ``GetOrder`` / ``OrderDetails`` is a query and its answer: what a consumer
  needs when an event does not carry the data it wants and it has to call
  the producer back.
"""

from playground.catalog.base import MessageSpec

S, N = str, float

ORDER_VARIANT_SPECS = [
    MessageSpec("DatabaseRowUpdated", "event", "orders", {"table": S, "row_id": S, "column": S, "value": S},
                "A column of a row in the orders service's database changed (a technical event)."),
    MessageSpec("WatchOrderRow", "command", "email", {"table": S, "row_id": S, "column": S, "value": S},
                "Look at a changed database row and decide whether a customer should get an email."),
    MessageSpec("GetOrder", "command", "orders", {"order_id": S},
                "Tell the asker everything about one order (a query)."),
    MessageSpec("OrderDetails", "event", "orders", {"order_id": S, "customer": S, "amount": N},
                "The details of one order, sent in answer to GetOrder."),
]
