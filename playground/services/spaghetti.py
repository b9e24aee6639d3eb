"""Five teams that joined the order flow, each in two styles: on database rows, or on business events.

The *ungoverned* versions (:data:`UNGOVERNED`) listen to ``DatabaseRowUpdated``
or to each other and announce every step they take; the *governed* ones
(:data:`GOVERNED`) listen to business events and announce only a business
fact. Their handlers are deliberately small: what the chapter measures is
the traffic between them, not what they compute.

>>> Marketing().handle("Resegment", {"order_id": "o1", "points": 7})
[Emit(type='SegmentChanged', payload={'order_id': 'o1', 'segment': 'silver'})]
>>> QuietMarketing().handle("Resegment", {"order_id": "o1", "points": 7})
[]
"""

from __future__ import annotations

from typing import Any

from playground.services.base import Service, emit, handles


class Analytics(Service):
    """Counts what it hears; announces nothing."""

    name = "analytics"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.seen = 0

    @handles("RecordRow")
    def row(self, table: str, row_id: str, column: str, value: str):
        self.seen += 1

    @handles("RecordOrderFact")
    def fact(self, order_id: str):
        self.seen += 1


class Crm(Service):
    """Keeps customer records; the ungoverned one echoes every row it syncs."""

    name = "crm"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.customers: dict[str, str] = {}

    @handles("SyncCustomerRow")
    def sync(self, table: str, row_id: str, column: str, value: str):
        if column == "customer":
            self.customers[row_id] = value
        return [emit("CustomerRecordChanged", order_id=row_id, column=column)]

    @handles("RememberCustomer")
    def remember(self, order_id: str, customer: str):
        self.customers[order_id] = customer


class Rewards(Service):
    """Reward points per order: recomputed on every echo (ungoverned) or awarded once on completion."""

    name = "rewards"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.points: dict[str, int] = {}

    @handles("RecalculatePoints")
    def recalculate(self, order_id: str):
        self.points[order_id] = self.points.get(order_id, 0) + 1
        return [emit("PointsRecalculated", order_id=order_id, points=self.points[order_id])]

    @handles("AwardOrderPoints")
    def award(self, order_id: str, customer: str):
        self.points[order_id] = 10
        return [emit("RewardPointsAwarded", order_id=order_id, customer=customer, points=10)]


class Marketing(Service):
    """Puts customers in segments and announces every evaluation, changed or not."""

    name = "marketing"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.segments: dict[str, str] = {}

    @handles("Resegment")
    def resegment(self, order_id: str, points: int):
        self.segments[order_id] = "gold" if points >= 10 else "silver"
        return [emit("SegmentChanged", order_id=order_id, segment=self.segments[order_id])]


class QuietMarketing(Marketing):
    """The same segmentation, announcing nothing: nobody needs the segment as an event."""

    @handles("Resegment")
    def resegment(self, order_id: str, points: int):
        super().resegment(order_id, points)
        return []


class Audit(Service):
    """Writes an audit record per message it hears."""

    name = "audit"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.records = 0

    @handles("LogAudit")
    def log(self, order_id: str):
        self.records += 1


class ChattyAudit(Audit):
    """Announces every audit record it writes, in case somebody wants to know."""

    @handles("LogAudit")
    def log(self, order_id: str):
        super().log(order_id)
        return [emit("AuditLogged", order_id=order_id)]


#: The teams in the order they joined: name → (service class, reaction table), one map per style.
UNGOVERNED: dict[str, tuple[type[Service], dict[str, str]]] = {
    "analytics": (Analytics, {"DatabaseRowUpdated": "RecordRow"}),
    "crm": (Crm, {"DatabaseRowUpdated": "SyncCustomerRow"}),
    "rewards": (Rewards, {"CustomerRecordChanged": "RecalculatePoints"}),
    "marketing": (Marketing, {"PointsRecalculated": "Resegment"}),
    "audit": (ChattyAudit, {"InvoicePaid": "LogAudit", "CustomerRecordChanged": "LogAudit",
                            "PointsRecalculated": "LogAudit", "SegmentChanged": "LogAudit"}),
}
GOVERNED: dict[str, tuple[type[Service], dict[str, str]]] = {
    "analytics": (Analytics, {"OrderPlaced": "RecordOrderFact", "OrderCompleted": "RecordOrderFact",
                              "OrderCancelled": "RecordOrderFact"}),
    "crm": (Crm, {"OrderPlaced": "RememberCustomer"}),
    "rewards": (Rewards, {"OrderCompleted": "AwardOrderPoints"}),
    "marketing": (QuietMarketing, {"RewardPointsAwarded": "Resegment"}),
    "audit": (Audit, {"InvoicePaid": "LogAudit", "OrderCompleted": "LogAudit", "OrderCancelled": "LogAudit",
                      "RewardPointsAwarded": "LogAudit"}),
}
