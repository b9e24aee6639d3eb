"""The freight domain's services: the carrier and the port, customs clearance's three desks, and three followers.

Every service keys its state by shipment id, which is also the idempotency
key of every command: a repeated command answers as the first one did and
changes nothing. Whether the agency rejects a shipment's documents is fixed
in advance (``refuse``, a set of shipment ids), so every wiring of the same
seed rejects the same shipments.

>>> agency = Agency(refuse={"s2"})
>>> [e.type for e in agency.handle("NotifyAgency", {"shipment_id": "s1", "duty": 8.0})]
['AgencyCleared']
>>> [e.type for e in agency.handle("NotifyAgency", {"shipment_id": "s2", "duty": 8.0})]
['AgencyRefused']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from playground.errors import PlaygroundError
from playground.services.base import Service, emit, handles

#: Duty rate on the declared value, freight rate, and the flat price of carrying a refused shipment back.
DUTY_RATE, FREIGHT_RATE, RETURN_FEE = 0.08, 0.05, 250.0


class Carrier(Service):
    """The physical journey: dispatch, arrival at port, delivery or return."""

    name = "carrier"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.shipments: dict[str, dict[str, Any]] = {}

    def _move(self, shipment_id: str, to: str) -> dict[str, Any]:
        shipment = self.shipments.get(shipment_id)
        if shipment is None:
            raise PlaygroundError(f"the carrier never dispatched {shipment_id}")
        if shipment["status"] != to:
            self.note_state(shipment_id, shipment["status"], to)
            shipment["status"] = to
        return shipment

    @handles("DispatchShipment")
    def dispatch(self, shipment_id: str, shipper: str, value: float):
        if shipment_id not in self.shipments:
            self.shipments[shipment_id] = {"shipper": shipper, "value": value, "status": "at sea"}
            self.note_state(shipment_id, None, "at sea")
        return [emit("ShipmentDispatched", shipment_id=shipment_id, shipper=shipper, value=value,
                     milestone="dispatched")]

    @handles("ArriveAtPort")
    def arrive(self, shipment_id: str):
        shipment = self.shipments.get(shipment_id)
        if shipment is None:
            raise PlaygroundError(f"the carrier never dispatched {shipment_id}")
        if shipment["status"] == "at sea":
            self._move(shipment_id, "at port")
        return [emit("ShipmentAtPort", shipment_id=shipment_id, shipper=shipment["shipper"],
                     value=shipment["value"], milestone="at port")]

    @handles("ExpectArrival")
    def expect(self, shipment_id: str):
        # Nothing to answer yet: ShipmentAtPort goes out when the vessel docks.
        if shipment_id not in self.shipments:
            raise PlaygroundError(f"the carrier never dispatched {shipment_id}")
        return []

    @handles("DeliverShipment")
    def deliver(self, shipment_id: str):
        shipment = self._move(shipment_id, "delivered")
        if not shipment.get("delivered"):
            shipment["delivered"] = True
            self.note_effect("deliver", shipment_id)
        return [emit("ShipmentDelivered", shipment_id=shipment_id, milestone="delivered")]

    @handles("ReturnShipment")
    def send_back(self, shipment_id: str):
        shipment = self._move(shipment_id, "returned")
        if not shipment.get("returned"):
            shipment["returned"] = True
            self.note_effect("return", shipment_id)
        return [emit("ShipmentReturned", shipment_id=shipment_id, milestone="returned")]


class Port(Service):
    """The port authority: holds an arrived shipment for customs."""

    name = "port"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.held: set[str] = set()

    @handles("PlaceCustomsHold")
    def hold(self, shipment_id: str, shipper: str, value: float):
        if shipment_id not in self.held:
            self.held.add(shipment_id)
            self.note_effect("hold", shipment_id)
        return [emit("CustomsHoldPlaced", shipment_id=shipment_id, shipper=shipper, value=value,
                     milestone="customs hold")]


class Documents(Service):
    """The customs broker's desk: checks the papers and lodges the declaration (or withdraws it)."""

    name = "documents"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.declarations: dict[str, str] = {}  # shipment → "lodged" or "withdrawn"

    @handles("ValidateDocuments")
    def validate(self, shipment_id: str, shipper: str, value: float):
        if self.declarations.get(shipment_id) is None:
            self.declarations[shipment_id] = "lodged"
            self.note_effect("lodge", shipment_id)
        return [emit("DocumentsValidated", shipment_id=shipment_id, value=value, declaration=f"decl-{shipment_id}")]

    @handles("WithdrawDeclaration")
    def withdraw(self, shipment_id: str):
        if self.declarations.get(shipment_id) == "lodged":
            self.note_effect("withdraw", shipment_id)
        self.declarations[shipment_id] = "withdrawn"
        return [emit("DeclarationWithdrawn", shipment_id=shipment_id)]

    def lodged(self) -> list[str]:
        """Shipments whose declaration stands right now."""
        return sorted(s for s, state in self.declarations.items() if state == "lodged")


class Duties(Service):
    """Assesses the import duties (or voids the assessment)."""

    name = "duties"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.assessed: dict[str, float] = {}
        self.voided: set[str] = set()

    @handles("CalculateDuties")
    def calculate(self, shipment_id: str, value: float):
        if shipment_id not in self.assessed:
            self.assessed[shipment_id] = round(value * DUTY_RATE, 2)
            self.note_effect("assess", shipment_id, amount=self.assessed[shipment_id])
        return [emit("DutiesCalculated", shipment_id=shipment_id, duty=self.assessed[shipment_id])]

    @handles("VoidDuties")
    def void(self, shipment_id: str):
        if shipment_id in self.assessed and shipment_id not in self.voided:
            self.note_effect("void", shipment_id)
        self.voided.add(shipment_id)
        return [emit("DutiesVoided", shipment_id=shipment_id)]


class Agency(Service):
    """The customs agency: accepts a filing, or rejects the shipment's documents (those in ``refuse``)."""

    name = "agency"

    def __init__(self, *, refuse: Iterable[str] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.refuse = frozenset(refuse)
        self.filed: set[str] = set()

    @handles("NotifyAgency")
    def file(self, shipment_id: str, duty: float):
        if shipment_id not in self.filed:
            self.filed.add(shipment_id)
            self.note_effect("file", shipment_id)
        if shipment_id in self.refuse:
            return [emit("AgencyRefused", shipment_id=shipment_id, reason="the agency rejected the documents",
                         milestone="customs rejected")]
        return [emit("AgencyCleared", shipment_id=shipment_id, duty=duty, milestone="customs released")]


class Tracking(Service):
    """The shipment's tracking page: every milestone it has heard of, in order."""

    name = "tracking"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.pages: dict[str, list[str]] = {}

    @handles("RecordMilestone")
    def record(self, shipment_id: str, milestone: str):
        page = self.pages.setdefault(shipment_id, [])
        if milestone not in page:
            page.append(milestone)
            self.note_effect("record", f"{shipment_id}:{milestone}")
        return [emit("MilestoneRecorded", shipment_id=shipment_id, milestone=milestone)]


class Notifications(Service):
    """Tells the consignee about each milestone, once."""

    name = "notifications"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sent: list[tuple[str, str]] = []

    @handles("NotifyCustomer")
    def notify(self, shipment_id: str, milestone: str):
        if (shipment_id, milestone) not in self.sent:
            self.sent.append((shipment_id, milestone))
            self.note_effect("notify", f"{shipment_id}:{milestone}")
        return [emit("CustomerNotified", shipment_id=shipment_id, milestone=milestone)]


class Billing(Service):
    """Invoices freight, duties and returns; a ledger per shipment, each charge once."""

    name = "billing"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.ledger: dict[str, dict[str, float]] = {}

    def _charge(self, shipment_id: str, what: str, amount: float) -> float:
        lines = self.ledger.setdefault(shipment_id, {})
        if what not in lines:
            lines[what] = amount
            self.note_effect(f"charge {what}", shipment_id, amount=amount)
        return lines[what]

    @handles("ChargeFreight")
    def freight(self, shipment_id: str, value: float):
        return [emit("FreightCharged", shipment_id=shipment_id,
                     amount=self._charge(shipment_id, "freight", round(value * FREIGHT_RATE, 2)))]

    @handles("ChargeDuties")
    def duties(self, shipment_id: str, duty: float):
        return [emit("DutiesCharged", shipment_id=shipment_id, amount=self._charge(shipment_id, "duties", duty))]

    @handles("RefundDuties")
    def refund(self, shipment_id: str):
        lines = self.ledger.setdefault(shipment_id, {})
        charged = lines.get("duties", 0.0)
        if charged and "duties refund" not in lines:
            lines["duties refund"] = -charged
            self.note_effect("refund duties", shipment_id, amount=charged)
        return [emit("DutiesRefunded", shipment_id=shipment_id, amount=charged)]

    @handles("ChargeReturn")
    def charge_return(self, shipment_id: str):
        return [emit("ReturnCharged", shipment_id=shipment_id, amount=self._charge(shipment_id, "return", RETURN_FEE))]

    def owed(self, shipment_id: str, what: str = "duties") -> float:
        """What a shipment owes for ``what`` now (refunds subtracted)."""
        lines = self.ledger.get(shipment_id, {})
        return round(lines.get(what, 0.0) + lines.get(f"{what} refund", 0.0), 2)
