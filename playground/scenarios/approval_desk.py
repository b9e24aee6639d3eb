"""Trips that need a manager's approval: a person answers a signal, and silence is escalated.

The travel saga books a flight, a hotel and a car, then waits for a manager
to approve the trip. The approval arrives as a message (``DecideApproval``)
whenever a person gets round to it — minutes, sometimes hours. The saga
waits ``approval_timeout`` seconds; then, with ``escalation``, it announces
``ApprovalEscalated`` and waits that much longer, and the senior approvers
(hosted when ``seniors=True``) step in. Without escalation, or if nobody
decides in the extra time either, the trip is cancelled and every
reservation released.

>>> desk = approval_desk(trips=20, seed=4, escalation=600).run()
>>> desk.counts(), sorted(who_decided(desk))
(Counter({'completed': 20}), ['a senior', 'the manager, in time'])
>>> approval_desk(trips=20, seed=4, escalation=None).run().counts()["compensated"] > 0
True
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from playground.orchestration.saga import Approval
from playground.transport.bus import Bus
from playground.runtime.latency import Exponential, Latency, Uniform, as_latency
from playground.runtime.randomness import Randomness
from playground.runtime.result import Result
from playground.runtime.checks import positive_number
from playground.scenarios.travel import TravelBooking, travel_saga
from playground.services import Service
from playground.services.escalation import Seniors
from playground.wiring.orchestration import adds_orchestrator, orchestrate
from playground.scenarios.base import builds

#: People take their time: a manager typically answers within a few minutes, now and then much later.
MANAGER_LATENCY = Exponential(120)
#: Escalations land on a desk that is staffed for them.
SENIOR_LATENCY = Uniform(20, 120)

#: Who hears what the orchestrator asks of people.
PEOPLE = {"approvers": {"ApprovalRequested": "ReviewRequest"}, "seniors": {"ApprovalEscalated": "ReviewEscalation"}}


@adds_orchestrator
def _orchestration(scenario: "ApprovalDesk", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [scenario.saga], randomness, store=scenario.store,
                       reactions={name: PEOPLE[name] for name in services if name in PEOPLE})
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable)


class ApprovalDesk(TravelBooking):
    """:class:`~playground.scenarios.travel.TravelBooking` with a manager's approval at the end.

    Trip requests arrive about every ten minutes (``rate``): one manager and one senior desk
    handle them one at a time, as people do.

    Args:
        approval_timeout: seconds a manager has to decide.
        escalation: extra seconds after escalating (None: no escalation, silence means no).
        seniors: host the senior approvers who answer escalations.
        manager_latency, senior_latency: how long each kind of person takes to decide.
        Other arguments as :class:`~playground.scenarios.travel.TravelBooking`.
    """

    name = "approval desk"
    wirings = {"orchestration": _orchestration}

    def __init__(self, *, approval_timeout: float = 180, escalation: float | None = 600, seniors: bool = True,
                 manager_latency: "float | Latency" = MANAGER_LATENCY,
                 senior_latency: "float | Latency" = SENIOR_LATENCY, rate: float = 1 / 600, **params: Any):
        latency = {"approvers": as_latency(manager_latency, what="manager_latency"), **params.pop("latency", {})}
        approval = Approval("manager", timeout=positive_number("approval_timeout", approval_timeout),
                            escalation=positive_number("escalation", escalation) if escalation is not None else None)
        super().__init__(rate=rate, latency=latency, saga=travel_saga(approval=approval), **params)
        self.seniors = bool(seniors)
        self.senior_latency = as_latency(senior_latency, what="senior_latency")

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if self.seniors:
            services["seniors"] = Seniors(latency=self.senior_latency, rng=randomness.stream("seniors"))
        return services


def who_decided(result: Result) -> Counter:
    """Per trip, whose decision the saga took: the manager in time, the manager after escalation, a senior, or nobody.

    Read from the trace: the decision that counted is the one the orchestrator did not park as a dead letter.
    """
    ignored = {letter.envelope.message_id for letter in result.dead_letters}
    escalated = {e.correlation_id for e in result.trace.where(kind="send", type="ApprovalEscalated")}
    counted: dict[str, str] = {}
    for e in result.trace.where(kind="send", type="DecideApproval"):
        if e.message_id in ignored:
            continue
        if e.at == "seniors":
            counted[e.correlation_id] = "a senior"
        else:
            counted[e.correlation_id] = "the manager, late" if e.correlation_id in escalated else "the manager, in time"
    return Counter(counted.get(trip, "nobody in time") for trip in result.outcomes)


@builds(ApprovalDesk)
def approval_desk(**params: Any) -> ApprovalDesk:
    """Build the approval-desk scenario; call ``.run()`` on it. See :class:`ApprovalDesk` for parameters."""
    return ApprovalDesk(**params)
