"""Exercise 11 · move duty payment into the customs saga, and measure what got better and what got worse.

The learner writes ``delivered_unpaid`` (which shipments were delivered
before their duties were charged), ``PAYING`` (the customs saga with a
payment step inside it), ``BILLING`` (billing's reaction table once the saga
charges the duties) and ``VERDICT`` (for four measures, whether moving the
step made it better, worse or left it the same).

Every check runs on a workload drawn from the grading seed — a seed, a number
of shipments, a share of rejected documents and a billing outage placed where
shipments are arriving — so no figure the notebook printed helps; the
workload is named in every failure so it can be rerun, and the report names
the grading seed so the whole grading can be replayed. A run that parks
messages at billing (a misspelt command in ``BILLING``, an event that lacks a
field its command needs) fails with the dead letter's reason quoted, and the
table check names a command billing does not have before anything else.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from playground.analysis.boundary import rejections, waited_during
from playground.catalog import CATALOG
from playground.grading.causes import parked_by_orchestrator, verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch
from playground.grading.unseen import Unseen
from playground.orchestration.saga import SagaDefinition
from playground.runtime.faults import FaultPlan
from playground.scenarios.freight import CUSTOMS_DESKS, ENDS, HYBRID_REACTIONS, freight

HOUR = 3600.0
MEASURES = ("delivered unpaid", "wait at port", "steps undone per rejection", "messages per shipment")
DIRECTIONS = ("better", "worse", "same")
#: Events only the inside of customs should hear; a follower that reacts to one reads the saga's middle.
INSIDE_EVENTS = ("DocumentsValidated", "DeclarationWithdrawn", "DutiesCalculated", "DutiesVoided", "AgencyCleared",
                 "AgencyRefused", "DutiesCharged", "DutiesRefunded")
#: Each check's workload grows from one seed drawn from the grading seed (never the notebook's seed 7).
UNSEEN = Unseen(runs=1, avoid_seeds={7})
#: The commands billing handles, for naming a misspelt one in ``BILLING``.
BILLING_COMMANDS = sorted(s.name for s in CATALOG if s.kind == "command" and s.owner == "billing")


@dataclass(frozen=True)
class Workload:
    """One workload the learner has not seen: the run's parameters and the billing outage."""

    seed: int
    shipments: int
    refused: float
    down: tuple[float, float]

    def run(self, **extra: Any):
        return freight(shipments=self.shipments, seed=self.seed, refused=self.refused,
                       faults=FaultPlan(outages={"billing": [self.down]}), **extra).run()

    def __str__(self) -> str:
        return (f"seed {self.seed}, {self.shipments} shipments, {self.refused:.0%} refused, billing down from hour "
                f"{self.down[0] / HOUR:.1f} to {self.down[1] / HOUR:.1f}")


def draw_workload(rng: random.Random | None = None) -> Workload:
    """A fresh workload whose billing outage starts just before some shipment reaches port.

    Without ``rng``, drawn from the grading seed in force (the same workload for the same seed and check).
    """
    rng = rng or random.Random(UNSEEN.draw()[0]["seed"])
    while True:  # at least one rejection, or "steps undone per rejection" says nothing
        seed, shipments, refused = rng.randrange(100, 100_000), rng.randrange(16, 25), round(rng.uniform(0.2, 0.4), 2)
        scenario = freight(shipments=shipments, seed=seed, refused=refused)
        if scenario.refused_shipments():
            break
    # Down from just before a shipment that will be cleared reaches port: it is released while billing is down.
    cleared = sorted(at for at, command, payload in scenario.schedule()
                     if command == "ArriveAtPort" and payload["shipment_id"] not in scenario.refused_shipments())
    start = cleared[rng.randrange(len(cleared) // 3, 2 * len(cleared) // 3 + 1)] - 0.25 * HOUR
    return Workload(seed, shipments, refused, (start, start + rng.uniform(6, 12) * HOUR))


def first_sent(result, type_: str) -> dict[str, float]:
    """When each transaction first sent a message of ``type_``."""
    found: dict[str, float] = {}
    for e in result.trace.where(kind="send", type=type_):
        found.setdefault(e.correlation_id, e.time)
    return found


def reference_unpaid(result) -> list[str]:
    """Shipments delivered before their duties were charged, or never charged at all."""
    charged = first_sent(result, "DutiesCharged")
    return sorted(s for s, t in first_sent(result, "ShipmentDelivered").items() if s not in charged or charged[s] > t)


def measure(result, down: tuple[float, float]) -> dict[str, float]:
    """The four measures the verdict speaks about, for one run."""
    found = rejections(result, ("orchestrator", *CUSTOMS_DESKS, "billing"))
    waits = waited_during(result, *down, until=ENDS)
    return {"delivered unpaid": len(reference_unpaid(result)),
            "wait at port": round(max(waits, default=0.0) / HOUR, 1),
            "steps undone per rejection": round(sum(len(r.undone) for r in found) / max(len(found), 1), 2),
            "messages per shipment": round(result.trace.kinds()["send"] / len(result.outcomes), 1)}


def direction(before: float, after: float) -> str:
    """Lower is better for every measure here."""
    return "same" if after == before else ("better" if after < before else "worse")


def _hours(t: float | None) -> str:
    return "never" if t is None else f"hour {t / HOUR:.1f}"


def _ids(value: Any, name: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise Failed(f"`{name}` should return the ids of the shipments (a list such as ['shipment-003']), "
                     f"not {type(value).__name__}")
    return sorted(value)


def _judge_unpaid(learner, result, workload: Workload, when: str) -> None:
    want, got = reference_unpaid(result), _ids(learner(result), "delivered_unpaid")
    if got == want:
        return
    delivered, charged = first_sent(result, "ShipmentDelivered"), first_sent(result, "DutiesCharged")
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    if missing:
        s = missing[0]
        never = " and never charged its duties" if s not in charged else f", its duties charged at {_hours(charged[s])}"
        raise Failed(f"{when} ({workload}), {s} was delivered at {_hours(delivered[s])}{never}, but your "
                     "delivered_unpaid left it out; compare each ShipmentDelivered with the first DutiesCharged of "
                     "the same shipment, and count a shipment that was never charged too")
    s = extra[0]
    why = ("it was never delivered (its documents were rejected)" if s not in delivered else
           f"it was delivered at {_hours(delivered[s])}, after its duties were charged at {_hours(charged[s])}")
    raise Failed(f"{when} ({workload}), your delivered_unpaid names {s}, but {why}; count only shipments "
                 "delivered before their duties were charged")


def delivered_unpaid_is_right(ns: Mapping[str, Any]) -> None:
    learner = fetch(ns, "delivered_unpaid")
    workload = draw_workload()
    _judge_unpaid(learner, workload.run(), workload, "With duties charged after release and billing down")
    never = {**HYBRID_REACTIONS["billing"]}
    never.pop("CustomsReleased")
    _judge_unpaid(learner, workload.run(reactions={"billing": never}), workload,
                  "With a billing service that never charges duties")


def _paying(ns: Mapping[str, Any]) -> tuple[SagaDefinition, dict]:
    saga = fetch(ns, "PAYING", what="saga")
    billing = fetch(ns, "BILLING", what="dict")
    if not isinstance(saga, SagaDefinition):
        raise Failed(f"`PAYING` should be the customs saga with a payment step, built with customs_saga([...]), "
                     f"not {type(saga).__name__}")
    if not isinstance(billing, Mapping):
        raise Failed(f"`BILLING` should be billing's reaction table, a dict of event → command, not "
                     f"{type(billing).__name__}")
    return saga, dict(billing)


def payment_is_inside(ns: Mapping[str, Any]) -> None:
    saga, billing = _paying(ns)
    workload = draw_workload()
    result = workload.run(saga=saga, reactions={"billing": billing})
    # What billing could not run (a misspelt command, an event without the fields its command needs) first ...
    verdict_on_run(result, service="billing", table="BILLING", expected=parked_by_orchestrator,
                   where=f"With your saga ({workload})")
    if result.dead_letters:  # ... then a reply the saga had no use for
        letter = result.dead_letters[0]
        raise Failed(f"With your saga ({workload}), {letter.envelope.type} for {letter.envelope.correlation_id} was "
                     f"dead-lettered at {letter.at}: {letter.reason.rstrip('.')}")
    unfinished = sorted(s for s, outcome in result.outcomes.items() if outcome not in ("delivered", "returned"))
    if unfinished:
        raise Failed(f"With your saga ({workload}), {unfinished[0]} was never delivered or returned: the carrier "
                     "waits for CustomsReleased or CustomsRejected; build the saga with customs_saga([...]) so it "
                     "still announces its end")
    delivered, charged = first_sent(result, "ShipmentDelivered"), first_sent(result, "DutiesCharged")
    early = reference_unpaid(result)
    if early:
        s = early[0]
        raise Failed(f"With your saga ({workload}), {s} was delivered at {_hours(delivered[s])} and its duties "
                     f"charged at {_hours(charged.get(s))}: charge them in a step inside the customs saga "
                     "(ChargeDuties), so customs cannot announce CustomsReleased before they are charged")
    ledger, assessed = result.services["billing"], result.services["duties"].assessed
    for s, outcome in sorted(result.outcomes.items()):
        owed = ledger.owed(s)
        if outcome == "returned" and owed:
            raise Failed(f"With your saga ({workload}), {s} was rejected but still owes {owed:.2f} in duties: give "
                         "the payment step its compensation, Step(\"payment\", \"ChargeDuties\", \"RefundDuties\")")
        if outcome == "delivered" and owed != assessed[s]:
            raise Failed(f"With your saga ({workload}), {s} owes {owed:.2f} in duties instead of the {assessed[s]:.2f} "
                         "assessed; charge the assessed duty once")


def billing_follows_the_boundary(ns: Mapping[str, Any]) -> None:
    _, billing = _paying(ns)
    for event, command in sorted(billing.items()):
        if command not in BILLING_COMMANDS:
            close = difflib.get_close_matches(str(command), BILLING_COMMANDS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"it runs {', '.join(BILLING_COMMANDS)}."
            raise Failed(f"BILLING runs {command!r} when it hears {event}, a command the billing service does not "
                         f"have, so every {event} would be dead-lettered at billing; {hint}")
    for event, command in (("ShipmentDispatched", "ChargeFreight"), ("ShipmentReturned", "ChargeReturn")):
        if billing.get(event) != command:
            raise Failed(f"BILLING no longer runs {command} when it hears {event}; only the duties moved into the "
                         "saga, keep the freight and return charges as they were")
    charging = sorted(e for e, c in billing.items() if c == "ChargeDuties")
    if charging:
        raise Failed(f"BILLING still charges duties when it hears {charging[0]}; the saga charges them now, so drop "
                     "that reaction (one owner per step, and no second charge that only idempotency makes harmless)")
    inside = sorted(set(billing) & set(INSIDE_EVENTS))
    if inside:
        raise Failed(f"BILLING reacts to {inside[0]}, an event from inside customs clearance; a follower listens "
                     "only to the boundary's end (CustomsReleased or CustomsRejected) and to milestones")


def verdict_matches_the_measurements(ns: Mapping[str, Any]) -> None:
    saga, billing = _paying(ns)
    verdict = fetch(ns, "VERDICT", what="dict")
    if not isinstance(verdict, Mapping) or set(verdict) != set(MEASURES):
        names = sorted(verdict) if isinstance(verdict, Mapping) else type(verdict).__name__
        raise Failed(f"`VERDICT` should give each of {', '.join(MEASURES)} a direction, not {names}")
    for name, said in verdict.items():
        if said not in DIRECTIONS:
            raise Failed(f"VERDICT says {said!r} for {name}; answer 'better', 'worse' or 'same'")
    workload = draw_workload()
    before = measure(workload.run(), workload.down)
    after = measure(workload.run(saga=saga, reactions={"billing": billing}), workload.down)
    for name in MEASURES:
        truth = direction(before[name], after[name])
        if verdict[name] != truth:
            said = {"same": "the same"}
            raise Failed(f"On a fresh workload ({workload}), {name} went from {before[name]:g} to {after[name]:g} "
                         f"when the payment moved into your saga, which is {said.get(truth, truth)}, not "
                         f"{said.get(verdict[name], verdict[name])}; "
                         "measure before and after on the same workload and read the direction off the numbers")


EXERCISE = Exercise("11_move_the_boundary", "Move duty payment across the boundary", [
    Check("delivered_unpaid_is_right", "delivered_unpaid finds every shipment delivered before its duties were charged",
          3, delivered_unpaid_is_right),
    Check("payment_is_inside", "with the payment inside the saga, no shipment is delivered unpaid and a rejection "
          "refunds it", 4, payment_is_inside),
    Check("billing_follows_the_boundary", "billing keeps its other charges and no longer charges duties", 1,
          billing_follows_the_boundary),
    Check("verdict_matches_the_measurements", "the verdict agrees with measurements on a fresh workload", 2,
          verdict_matches_the_measurements),
])
