"""Fraud screening: one more step in the middle of the order flow, before payment.

>>> FraudScreen().handle("ScreenOrder", {"order_id": "o1", "amount": 20.0})[0].type
'OrderScreened'
"""

from __future__ import annotations

from typing import Any

from playground.services.base import Service, emit, handles


class FraudScreen(Service):
    """Passes every order it screens (the step's cost is its time, not its verdicts)."""

    name = "screening"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.screened: set[str] = set()

    @handles("ScreenOrder")
    def screen(self, order_id: str, amount: float):
        self.screened.add(order_id)
        return [emit("OrderScreened", order_id=order_id, amount=amount)]
