"""The invoice incident with your own remedy: another payment step, or more reactions beside the orchestrator.

The incident's fulfilment saga and services stay as they are; only the
payment step (``payment_step=``) or the reactions some services add on their
own (``reactions=``, e.g. payments refunding a payment that found no invoice)
change, so a difference in the trace is the remedy's doing.

>>> from playground.analysis.invariants import paid_without_invoice
>>> from playground.orchestration import Step
>>> patient = Step("payment", "ChargePayment", "RefundPayment")  # no timeout: wait for the real outcome
>>> len(paid_without_invoice(incident_with(payment_step=patient, orders=60, seed=1).run()))
0
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.errors import ScenarioError
from playground.orchestration.saga import SagaDefinition, Step
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.scenarios.invoice_incident import CONFIRMATION, InvoiceIncident, incident_saga
from playground.services import Service
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds


def fulfilment_with(payment_step: Step) -> SagaDefinition:
    """The incident's fulfilment saga with ``payment_step`` in place of its payment step."""
    if not isinstance(payment_step, Step) or payment_step.action != "ChargePayment":
        raise ScenarioError(f"The payment step must be a Step(...) whose action is 'ChargePayment', not {payment_step!r}.")
    shipped = incident_saga()
    stages = [payment_step if stage.name == "payment" else stage for stage in shipped.stages]
    return SagaDefinition(shipped.name, stages, started_by=shipped.started_by)


def _merged(extra: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    names = [*CONFIRMATION, *(n for n in extra if n not in CONFIRMATION)]
    return {name: {**CONFIRMATION.get(name, {}), **extra.get(name, {})} for name in names}


@adds_orchestrator
def _orchestration(scenario: "IncidentVariant", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness, reactions=_merged(scenario.reactions))
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable)


class IncidentVariant(InvoiceIncident):
    """:class:`InvoiceIncident` (orchestrated) with a different payment step and/or extra reactions.

    Args:
        payment_step: a :class:`Step` whose action is ``ChargePayment``; None keeps the incident's.
        reactions: service → {event: command} the services run on their own, beside the orchestrator.
        **params: everything :class:`InvoiceIncident` takes except ``fix`` and ``wiring``.
    """

    name = "invoice incident, remedied"
    wirings = {"orchestration": _orchestration}

    def __init__(self, *, payment_step: Step | None = None,
                 reactions: Mapping[str, Mapping[str, str]] | None = None, **params: Any):
        super().__init__(**params)
        if payment_step is not None:
            self.saga = fulfilment_with(payment_step)
        if not isinstance(reactions or {}, Mapping):
            raise ScenarioError(f"reactions must be a dict of service → {{event: command}}, not {reactions!r}.")
        self.reactions = {name: dict(table) for name, table in (reactions or {}).items()}
        known = set(self.build_services(Randomness(0)))
        for name in self.reactions:
            if name not in known:
                raise ScenarioError(f"There is no service called {name!r} to react; choose from {', '.join(sorted(known))}.")


@builds(IncidentVariant)
def incident_with(**params: Any) -> IncidentVariant:
    """The invoice incident with your remedy; call ``.run()``. See :class:`IncidentVariant`."""
    return IncidentVariant(**params)
