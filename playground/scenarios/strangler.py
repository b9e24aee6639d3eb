"""Strangling a legacy ERP: an orchestrator coordinates new services with an old system behind an adapter.

The fulfilment saga (order → invoice → payment → settle → ship → complete) runs
on the orchestrator. Payments and shipping are new services; invoices still
live in a legacy ERP that is slow and often answers "busy". The adapter in
front of it accepts the ordinary invoice commands, so the saga does not know
which system issues an invoice — only that the invoice step may fail with
``InvoiceSystemBusy`` and should then be retried with a pause.

``migrated`` is how far the migration has come: the share of orders the
strangler facade already sends to the new invoices service (0: all to the
ERP, 1: the ERP is switched off and the facade with it).

>>> legacy_migration(orders=30, seed=2).run().counts()
Counter({'completed': 30})
>>> legacy_migration(orders=30, seed=2, retry=None).run().counts()["cancelled"] > 0
True
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.orchestration.saga import Retry, SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.latency import Latency, Uniform
from playground.runtime.randomness import Randomness
from playground.runtime.checks import fraction
from playground.scenarios.order_flow import OrderFlow
from playground.services import Invoices, Service
from playground.services.legacy import ErpAdapter, StranglerFacade
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds

#: The ERP takes about a second per request where the new service takes a twentieth of one.
ERP_LATENCY = Uniform(0.5, 1.5)
#: Ask a busy ERP again after 2 s, 4 s, 8 s... up to five more times.
PATIENT = Retry(count=5, backoff=2.0)


def fulfilment_saga(*, retry: Retry | None = PATIENT) -> SagaDefinition:
    """Order → invoice (retried while the invoice system is busy) → payment → settle → shipping → completion.

    >>> print(fulfilment_saga().steps["invoice"].retry)
    Retry(count=5, backoff=2.0, factor=2.0, jitter=0.0, max_delay=None)
    """
    return SagaDefinition("fulfilment", [
        Step("order", "PlaceOrder", "CancelOrder"),
        Step("invoice", "CreateInvoice", "CancelInvoice", failed=("InvoiceSystemBusy",), retry=retry or Retry()),
        Step("payment", "ChargePayment", "RefundPayment"),
        Step("settle", "MarkInvoicePaid", compensation_required=False),
        Step("ship", "ShipOrder", "CancelShipment"),
        Step("complete", "CompleteOrder", compensation_required=False),
    ], started_by="OrderPlaced")


@adds_orchestrator
def _orchestration(scenario: "LegacyMigration", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    (saga,) = scenario.definitions()["sagas"]
    host = orchestrate(bus, services, [saga], randomness)
    scenario.run_extras.update(orchestrator=host, saga=saga, compensable=saga.compensable)


class LegacyMigration(OrderFlow):
    """The order flow, orchestrated, with invoices issued by a legacy ERP for ``1 - migrated`` of the orders.

    Args:
        migrated: share of orders whose invoice the new service issues.
        busy: share of invoice requests the ERP refuses with "try later".
        retry: the invoice step's retry policy (None: a busy ERP fails the order).
        erp_latency: how long the ERP takes per request.
        Other arguments as :class:`~playground.scenarios.order_flow.OrderFlow`.
    """

    name = "legacy migration"
    wirings = {"orchestration": _orchestration}

    def __init__(self, *, migrated: float = 0.0, busy: float = 0.2, retry: Retry | None = PATIENT,
                 erp_latency: "float | Latency" = ERP_LATENCY, rate: float = 0.2,
                 latency: Mapping[str, "float | Latency"] | None = None, **params: Any):
        self.migrated = fraction("migrated", migrated)
        self.busy = fraction("busy", busy)
        self.retry = retry
        # While any invoice still goes through the ERP, the invoices component runs at the ERP's pace.
        slow = {"invoices": erp_latency} if self.migrated < 1 else {}
        super().__init__(wiring="orchestration", rate=rate, latency={**slow, **(latency or {})}, **params)

    def definitions(self) -> dict[str, Any]:
        return {"reactions": {}, "sagas": [fulfilment_saga(retry=self.retry)]}

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        latency, rng = self.latency["invoices"], randomness.stream("erp")
        if self.migrated == 0:
            services["invoices"] = ErpAdapter(latency=latency, busy=self.busy, rng=rng)
        elif self.migrated < 1:
            services["invoices"] = StranglerFacade(latency=latency, busy=self.busy, rng=rng, migrated=self.migrated)
        else:
            services["invoices"] = Invoices(latency=latency)
        return services


@builds(LegacyMigration)
def legacy_migration(**params: Any) -> LegacyMigration:
    """Build the legacy-migration scenario; call ``.run()`` on it. See :class:`LegacyMigration`."""
    return LegacyMigration(**params)
