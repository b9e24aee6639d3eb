"""Other versions of the order service and of the email service, for the contracts chapter.

* :class:`RowLevelOrders` also publishes its database changes: one
  ``DatabaseRowUpdated`` per changed column (change-data capture).
* :class:`RenamedColumnOrders` is the same service after an internal
  refactoring: the ``state`` column is now called ``status``. Its business
  events do not change at all; its row events do.
* :class:`RowWatchingEmail` confirms orders by watching those rows — so it
  must know the orders table's columns and values, and it goes quiet when
  they change.
* :class:`QueryableOrders` answers ``GetOrder`` queries, which a consumer
  that calls back needs.

>>> orders = RowLevelOrders()
>>> [(e.type, e.payload.get("column")) for e in orders.handle("PlaceOrder", {"order_id": "o1", "customer": "c", "amount": 5.0})]
[('OrderPlaced', None), ('DatabaseRowUpdated', 'customer'), ('DatabaseRowUpdated', 'amount'), ('DatabaseRowUpdated', 'state'), ('DatabaseRowUpdated', 'version')]
"""

from __future__ import annotations

from typing import Any

from playground.services.base import Emit, emit, handles
from playground.services.orders import Email, Orders


class RowLevelOrders(Orders):
    """The orders service, also publishing every column it writes as a ``DatabaseRowUpdated`` event."""

    #: What the orders table calls the column holding an order's state.
    state_column = "state"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._rows: list[Emit] = []
        self._versions: dict[str, int] = {}

    def _row(self, order_id: str, column: str, value: Any) -> None:
        self._rows.append(emit("DatabaseRowUpdated", table="orders", row_id=order_id, column=column, value=str(value)))

    def _move(self, order_id: str, state: str) -> dict[str, Any]:
        inserted = self.orders[order_id]["state"] is None  # a new row: its other columns are written too
        order = super()._move(order_id, state)
        if inserted:
            self._row(order_id, "customer", order["customer"])
            self._row(order_id, "amount", order["amount"])
        self._row(order_id, self.state_column, state)
        self._versions[order_id] = self._versions.get(order_id, 0) + 1
        self._row(order_id, "version", self._versions[order_id])
        return order

    def handle(self, command: str, payload: dict[str, Any]) -> list[Emit]:
        emitted = super().handle(command, payload)
        rows, self._rows = self._rows, []
        return [*emitted, *rows]


class RenamedColumnOrders(RowLevelOrders):
    """The same service after a refactoring nobody outside the team was told about: ``state`` is now ``status``."""

    state_column = "status"


class RowWatchingEmail(Email):
    """Confirms an order when it sees the orders table's ``state`` column turn ``completed``.

    It keeps its own copy of the rows it saw (to know the customer), so it depends
    on the orders service's table name, column names and state values.
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.rows: dict[str, dict[str, str]] = {}

    @handles("WatchOrderRow")
    def watch(self, table: str, row_id: str, column: str, value: str):
        if table != "orders":
            return []
        row = self.rows.setdefault(row_id, {})
        row[column] = value
        if column == "state" and value == "completed":
            return self.confirm(row_id, row.get("customer", ""))
        return []


class QueryableOrders(Orders):
    """The orders service with a query added for consumers that call back: ``GetOrder`` → ``OrderDetails``."""

    @handles("GetOrder")
    def details(self, order_id: str):
        order = self.orders[order_id]
        return [emit("OrderDetails", order_id=order_id, customer=order["customer"], amount=order["amount"])]
