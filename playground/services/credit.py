"""The credit domain: the system of record for credit limits, and sales deciding orders on its copy of them.

:class:`CreditDesk` owns the limits. Each change gets the customer's next
version number and is announced with it. :class:`Sales` keeps a copy of every
limit from those events and decides each order on credit against the copy:
accepted if the amount fits the limit, else declined. Nothing in sales can
tell, on its own, that its copy is behind: that is the pitfall.

Two remedies are services too. :class:`VersionedSales` never lets an older
version overwrite a newer one, so a late event cannot roll a copy back.
:class:`CheckingSales` also compares its copy's version with the version the
order was placed against, and asks the record when its copy is older.

>>> late = [{"customer": "c1", "limit": 500.0, "version": 2}, {"customer": "c1", "limit": 900.0, "version": 1}]
>>> naive, versioned = Sales(), VersionedSales()
>>> for update in late:  # version 1 arrives after version 2
...     _ = naive.handle("CopyCreditLimit", update), versioned.handle("CopyCreditLimit", update)
>>> naive.copies["c1"], versioned.copies["c1"]
((900.0, 1), (500.0, 2))
>>> [e.type for e in naive.handle("TakeOrder", {"order_id": "o1", "customer": "c1", "amount": 700.0, "credit_version": 2})]
['CreditOrderAccepted']
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.services.base import Service, emit, handles


def decision(read: Mapping[str, Any], limit: float) -> str:
    """What sales decides for the order a ``read`` note describes, had it read ``limit``: the rule, written once."""
    return "accepted" if read["amount"] <= limit else "declined"


class CreditDesk(Service):
    """The system of record: every customer's credit limit, with a version counting its changes."""

    name = "credit"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.limits: dict[str, tuple[float, int]] = {}  # customer → (limit, version)

    def version_of(self, customer: str) -> int:
        """The record's current version for ``customer`` (0 before its first limit)."""
        return self.limits.get(customer, (0.0, 0))[1]

    @handles("SetCreditLimit")
    def set_limit(self, customer: str, limit: float):
        version = self.version_of(customer) + 1
        self.limits[customer] = (limit, version)
        self.note_data("record", customer, limit, version)
        return [emit("CreditLimitChanged", customer=customer, limit=limit, version=version)]

    @handles("ReconcileCredit")
    def state_limits(self):
        rows = [[customer, limit, version] for customer, (limit, version) in sorted(self.limits.items())]
        return [emit("CreditLimitsStated", limits=rows)]

    @handles("CheckCredit")
    def check(self, order_id: str, customer: str, amount: float):
        limit, version = self.limits.get(customer, (0.0, 0))
        return [emit("CreditChecked", order_id=order_id, customer=customer, amount=amount, limit=limit,
                     version=version)]


class Sales(Service):
    """Decides orders on credit against its own copy of the limits; takes every update as it comes.

    Args:
        copies: customer → (limit, version) to start from (empty: every copy comes from the events).
    """

    name = "sales"

    def __init__(self, *, copies: Mapping[str, tuple[float, int]] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.copies: dict[str, tuple[float, int]] = dict(copies or {})
        self.decided: dict[str, str] = {}  # order id → "accepted" / "declined"

    # -- the copy ------------------------------------------------------------
    def store(self, customer: str, limit: float, version: int) -> bool:
        """Take ``limit`` (at ``version``) as the copy of ``customer``'s limit; True if the copy changed."""
        if self.copies.get(customer) == (limit, version):
            return False
        self.copies[customer] = (limit, version)
        self.note_data("copy", customer, limit, version)
        return True

    def take_update(self, customer: str, limit: float, version: int) -> bool:
        """What to do with an update from the feed or from a reconciliation: here, take it as it comes."""
        return self.store(customer, limit, version)

    @handles("CopyCreditLimit")
    def copy(self, customer: str, limit: float, version: int):
        self.take_update(customer, limit, version)
        return []

    @handles("CompareCreditLimits")
    def compare(self, limits: list):
        for customer, limit, version in limits:
            self.take_update(customer, limit, version)
        return []

    # -- deciding ------------------------------------------------------------
    def decide(self, order_id: str, customer: str, amount: float, limit: float, version: int) -> list:
        """Accept or decline ``order_id`` with ``limit`` (read at ``version``), once, and announce it."""
        outcome = self.decided.setdefault(order_id, decision({"amount": amount}, limit))
        self.note_data("read", customer, limit, version, decision=order_id, outcome=outcome, amount=amount)
        event = "CreditOrderAccepted" if outcome == "accepted" else "CreditOrderDeclined"
        return [emit(event, order_id=order_id, customer=customer, amount=amount, limit=limit)]

    @handles("TakeOrder")
    def take(self, order_id: str, customer: str, amount: float, credit_version: int):
        limit, version = self.copies.get(customer, (0.0, 0))
        return self.decide(order_id, customer, amount, limit, version)

    @handles("DecideOnRecord")
    def decide_on_record(self, order_id: str, customer: str, amount: float, limit: float, version: int):
        self.store_if_newer(customer, limit, version)
        return self.decide(order_id, customer, amount, limit, version)

    def store_if_newer(self, customer: str, limit: float, version: int) -> bool:
        """Take the value only if its version is newer than the copy's; True if the copy changed."""
        if version <= self.copies.get(customer, (0.0, 0))[1]:
            return False
        return self.store(customer, limit, version)


class VersionedSales(Sales):
    """Sales that ignores any update older than the copy it holds: a late event cannot roll the copy back."""

    def take_update(self, customer: str, limit: float, version: int) -> bool:
        return self.store_if_newer(customer, limit, version)


class CheckingSales(VersionedSales):
    """Versioned sales that will not decide on a copy older than the order: it asks the record first."""

    @handles("TakeOrder")
    def take(self, order_id: str, customer: str, amount: float, credit_version: int):
        limit, version = self.copies.get(customer, (0.0, 0))
        if version < credit_version:
            # The checkout page showed a newer record than this copy: deciding now would act on old data.
            return [emit("CreditCheckRequested", order_id=order_id, customer=customer, amount=amount)]
        return self.decide(order_id, customer, amount, limit, version)
