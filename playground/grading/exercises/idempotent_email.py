"""Exercise 08 · an email consumer that sends each confirmation once, whatever the bus does.

The learner first breaks the plain email service with a fault plan of their
own (``UNKIND``: duplicated deliveries and a crash between the work and the
acknowledgement), then writes ``IdempotentEmail``. The checks run the order
flow with that new version on workloads drawn at grading time (never the
notebook's seed 5), under duplicates and under crash-before-ack at drawn
rates, and judge the trace with the effects-at-most-once invariant — and
make sure no order lost its confirmation or its ``ConfirmationSent``
announcement on the way, and that no message was dead-lettered (an
announcement that breaks its contract never reaches anyone).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from playground.analysis.invariants import effects_at_most_once
from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch, watched
from playground.grading.unseen import Unseen, on, split
from playground.runtime.faults import Duplicate, FailCalls, FaultPlan
from playground.scenarios import order_flow
from playground.scenarios.new_version import new_version
from playground.services import Email

SERVICE, PLAN = "IdempotentEmail", "UNKIND"
#: Orders from fifty customers: some customers order twice, which a memory keyed by customer gets wrong.
UNSEEN = Unseen(runs=2, orders=(35, 60), avoid_seeds={5}, twice=(0.3, 0.6), crashing=(0.2, 0.45))


#: Fault plans from a drawn knob: OrderCompleted delivered twice, or email crashing between the work and the ack.
PLANS = {
    "twice": lambda fraction: FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox="email", fraction=fraction)]),
    "crashing": lambda fraction: FaultPlan(failures=[FailCalls("email", type="OrderCompleted", after_work=True,
                                                               fraction=fraction)]),
}


def _run(ns: Mapping[str, Any], workload: dict, faults: FaultPlan | None = None):
    cls = fetch(ns, SERVICE, what="class", base=Email)
    cls()  # an unfinished __init__ is the first thing to report
    probe = watched(cls)
    result = new_version(probe, **workload, faults=faults).run()
    verdict_on_run(result, service="email", probe=probe)
    return result


def _each(ns: Mapping[str, Any], knob: str | None, judge) -> None:
    """Judge the learner's email on every drawn workload, under the fault plan its ``knob`` sets (or none)."""
    for workload in UNSEEN.draw():
        knobs, params = split(workload, *PLANS)
        with on({**params, **({knob: knobs[knob]} if knob else {})}):
            judge(_run(ns, params, PLANS[knob](knobs[knob]) if knob else None))


def _completed(result) -> list[str]:
    return sorted(o for o, state in result.outcomes.items() if state == "completed")


def _emails(result) -> Counter:
    return Counter(e.correlation_id for e in result.trace.where(kind="effect", at="email"))


def _customer(result, order_id: str) -> str:
    return result.services["orders"].orders[order_id]["customer"]


def _every_order_once(result, when: str) -> None:
    emails = _emails(result)
    twice = [v for v in effects_at_most_once(result) if v.message.startswith("email did")]
    if twice:
        order_id = twice[0].correlation_id
        raise Failed(f"{when}, the customer of {order_id} got its confirmation {emails[order_id]} times; remember "
                     "the orders you have confirmed (the order id is the idempotency key) and skip a repeat")
    for order_id in _completed(result):
        if not emails[order_id]:
            customer = _customer(result, order_id)
            earlier = [o for o in _completed(result) if o < order_id and _customer(result, o) == customer]
            why = (f" ({customer} had ordered before: remember orders, not customers)" if earlier else "")
            raise Failed(f"{when}, {order_id} completed but its confirmation never went out{why}; send the "
                         "first time an order's confirmation is asked for, skip only the repeats")


def plan_breaks_plain_email(ns: Mapping[str, Any]) -> None:
    plan = fetch(ns, PLAN, what="fault plan")
    if not isinstance(plan, FaultPlan):
        raise Failed(f"`{PLAN}` should be a FaultPlan(...), not {type(plan).__name__}")
    for workload in UNSEEN.draw():
        params = split(workload, *PLANS)[1]
        with on(params):
            _breaks(order_flow(**params, faults=plan).run())


def _breaks(result) -> None:
    faults = [e.detail for e in result.trace.where(kind="fault", at="email")]
    if not any(f.get("fault") == "duplicate" for f in faults):
        raise Failed("your plan never delivers a message to email twice; add "
                     "Duplicate(type=\"OrderCompleted\", inbox=\"email\", ...) to messages=")
    if not any(f.get("fault") == "fail" and f.get("when") == "after-work" for f in faults):
        raise Failed("your plan never makes email crash between sending and acknowledging; add "
                     "FailCalls(\"email\", after_work=True, ...) to failures=")
    if not [v for v in effects_at_most_once(result) if v.message.startswith("email did")]:
        raise Failed("under your plan the plain email service still sent every confirmation once; make the "
                     "faults hit OrderCompleted on its way to email often enough to repeat a confirmation")


def every_order_confirmed(ns: Mapping[str, Any]) -> None:
    _each(ns, None, lambda result: _every_order_once(result, "With no faults at all"))


def once_under_duplicates(ns: Mapping[str, Any]) -> None:
    _each(ns, "twice", lambda result: _every_order_once(result, "When OrderCompleted reaches email twice"))


def once_after_crash(ns: Mapping[str, Any]) -> None:
    _each(ns, "crashing", _once_after_crash)


def _once_after_crash(result) -> None:
    _every_order_once(result, "When email crashes after sending but before acknowledging")
    announced = {e.correlation_id for e in result.trace.where(kind="send", at="email", type="ConfirmationSent")}
    silent = [o for o in _completed(result) if o not in announced]
    if silent:
        raise Failed(f"{silent[0]}'s confirmation went out but ConfirmationSent was never announced: the first "
                     "attempt crashed before its events left, and the repeat returned nothing; on a repeat, skip "
                     "the email but return ConfirmationSent again")


EXERCISE = Exercise("08_idempotent_email", "An email consumer that sends once", [
    Check("plan_breaks_plain_email", "your fault plan makes the plain email service send twice", 2,
          plan_breaks_plain_email),
    Check("every_order_confirmed", "every completed order gets its confirmation", 2, every_order_confirmed),
    Check("once_under_duplicates", "one confirmation per order when messages arrive twice", 3,
          once_under_duplicates),
    Check("once_after_crash", "one confirmation per order, and its announcement, after a crash before the ack", 3,
          once_after_crash),
])
