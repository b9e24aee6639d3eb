"""Contracts of five teams that joined the order flow, for the event-spaghetti chapter.

Each team joined twice, in two styles. *Ungoverned*, they built on the orders
service's database rows and announced every step they took ("X happened"):
``CustomerRecordChanged``, ``PointsRecalculated``, ``SegmentChanged``,
``AuditLogged``. *Governed*, they listen to the order flow's business events
and announce only a business fact of their own (``RewardPointsAwarded``).
"""

from playground.catalog.base import MessageSpec

S, N, I = str, float, int
ROW = {"table": S, "row_id": S, "column": S, "value": S}


def _cmd(name, owner, fields, meaning):
    return MessageSpec(name, "command", owner, fields, meaning)


def _evt(name, owner, fields, meaning):
    return MessageSpec(name, "event", owner, fields, meaning)


SPAGHETTI_SPECS = [
    # ungoverned: technical events and their echoes
    _cmd("RecordRow", "analytics", ROW, "Copy a changed row of the orders table into the analytics store."),
    _cmd("SyncCustomerRow", "crm", ROW, "Update the customer record from a changed orders row."),
    _evt("CustomerRecordChanged", "crm", {"order_id": S, "column": S}, "The CRM touched a customer record."),
    _cmd("RecalculatePoints", "rewards", {"order_id": S}, "Recompute the reward points behind an order."),
    _evt("PointsRecalculated", "rewards", {"order_id": S, "points": I}, "Reward points were recomputed."),
    _cmd("Resegment", "marketing", {"order_id": S, "points": I}, "Put the customer in a marketing segment."),
    _evt("SegmentChanged", "marketing", {"order_id": S, "segment": S}, "A segment was (re)computed."),
    _cmd("LogAudit", "audit", {"order_id": S}, "Write an audit record for a message."),
    _evt("AuditLogged", "audit", {"order_id": S}, "An audit record was written."),
    # governed: business events in, one business fact out
    _cmd("RecordOrderFact", "analytics", {"order_id": S}, "Count an order's business milestone."),
    _cmd("RememberCustomer", "crm", {"order_id": S, "customer": S}, "Keep the customer of an order (carried state)."),
    _cmd("AwardOrderPoints", "rewards", {"order_id": S, "customer": S}, "Credit the points a completed order earned."),
    _evt("RewardPointsAwarded", "rewards", {"order_id": S, "customer": S, "points": I},
         "A customer earned reward points for a completed order."),
]
