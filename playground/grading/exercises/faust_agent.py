"""Exercise 01 · a raw faust agent joins the running choreography as a new consumer.

The learner writes ``points_agent(app, events, send)``: it declares one agent
with ``@app.agent(events)``, iterates the stream with ``async for``, remembers
each order's amount from ``OrderPlaced`` and sends ``PointsAwarded`` (one
point per whole unit) when the order completes — once, however often an
event arrives. The checks run the order flow with the agent on workloads
drawn while grading and judge the trace — after the dead letters: what the
agent sends is checked against the catalog (a misspelt type, points that are
not a whole number) and an event its code raised on is parked, so a run with
dead letters is failed with the first one's reason, not blamed on the points.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping

from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.unseen import Unseen, on
from playground.grading.learner import fetch
from playground.runtime.fault_rules import Duplicate
from playground.runtime.faults import FaultPlan
from playground.scenarios.order_flow import order_flow
from playground.wiring.agents import FaustConsumer

FACTORY, NAME = "points_agent", "points"
HEARS = ["OrderPlaced", "OrderCompleted"]
#: Workloads drawn while grading: some cards declined, never the notebook's seed.
UNSEEN = Unseen(runs=2, orders=(30, 50), decline_rate=(0.2, 0.35), avoid_seeds={7})
REPEATS = FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox=NAME, fraction=0.5),
                              Duplicate(type="OrderPlaced", inbox=NAME, fraction=0.3)])


def _run(ns: Mapping[str, Any], workload: Mapping[str, Any], **extra: Any):
    """The order flow with the learner's agent; ``result.extras["awards"]`` holds every PointsAwarded it sent."""
    learner = fetch(ns, FACTORY, what="function")
    awards: dict[str, list] = defaultdict(list)

    def factory(app: Any, events: Any, send: Any) -> Any:
        def recording(type: str, payload: dict, **kwargs: Any) -> Any:
            message = send(type, payload, **kwargs)
            if type == "PointsAwarded":
                awards[message.correlation_id].append(message)
            return message

        return learner(app, events, recording)

    result = order_flow(agents=[FaustConsumer(NAME, factory, hears=HEARS)], **workload, **extra).run()
    verdict_on_run(result, service=NAME, yours="your agent")
    result.extras["awards"] = awards
    return result


def _awards(result) -> dict[str, list]:
    return result.extras["awards"]


def points_for_completed_orders(ns: Mapping[str, Any]) -> None:
    for workload in UNSEEN.draw():
        with on(workload):
            _points_for_completed_orders(_run(ns, workload))


def _points_for_completed_orders(result) -> None:
    awards = _awards(result)
    if not awards:
        raise Failed(f"the agent sent no PointsAwarded in {len(result.outcomes)} orders; inside "
                     '`async for event in stream:`, call send("PointsAwarded", {...}, cause=event) when an '
                     "OrderCompleted arrives")
    amounts = {order_id: o["amount"] for order_id, o in result.services["orders"].orders.items()}
    for order_id, state in sorted(result.outcomes.items()):
        got = awards.get(order_id, [])
        if state == "cancelled" and got:
            raise Failed(f"{order_id} was cancelled (its card was declined) yet earned points; award "
                         "them when OrderCompleted arrives, not when the order is placed")
        if state == "completed":
            if not got:
                raise Failed(f"{order_id} completed but earned no points; send PointsAwarded for "
                             "every OrderCompleted the agent hears")
            want, points = int(amounts[order_id]), got[0].payload.get("points")
            if points != want:
                raise Failed(f"{order_id} (amount {amounts[order_id]:.2f}) earned {points!r} points; it should "
                             f"earn {want}, one per whole unit of the amount its OrderPlaced carried — remember "
                             "each order's amount in a dict declared outside the loop")


def points_once_per_order(ns: Mapping[str, Any]) -> None:
    for workload in UNSEEN.draw():
        with on(workload):
            _points_once_per_order(_run(ns, workload, faults=REPEATS))


def _points_once_per_order(result) -> None:
    awards = _awards(result)
    twice = sorted(o for o, sent in awards.items() if len(sent) > 1)
    if twice:
        raise Failed(f"{twice[0]} earned points {len(awards[twice[0]])} times when its OrderCompleted arrived "
                     f"again; delivery is at least once, so remember which orders already earned "
                     "points and skip a repeat")
    missed = [o for o, state in sorted(result.outcomes.items()) if state == "completed" and o not in awards]
    if missed:
        raise Failed(f"with repeated deliveries {missed[0]} completed but earned no points; skip only "
                     "the repeats, never the first delivery")


def flow_unchanged(ns: Mapping[str, Any]) -> None:
    workload = UNSEEN.draw()[0]
    with on(workload):
        _flow_unchanged(_run(ns, workload), workload)


def _flow_unchanged(joined, workload: Mapping[str, Any]) -> None:
    foreign = sorted({e.type for e in joined.trace.where(kind="send", at=NAME)} - {"PointsAwarded"})
    if foreign:
        raise Failed(f"the agent sent {foreign[0]}; a newcomer only listens and announces its own event "
                     "(PointsAwarded), it never tells another service what to do")
    alone = order_flow(**workload).run()
    if joined.outcomes != alone.outcomes:
        changed = next(o for o in alone.outcomes if joined.outcomes.get(o) != alone.outcomes[o])
        raise Failed(f"with the agent joined, {changed} ended {joined.outcomes.get(changed)!r} instead of "
                     f"{alone.outcomes[changed]!r}; a newcomer must leave every order as it was")


EXERCISE = Exercise("01_faust_agent", "A faust agent joins the troupe", [
    Check("points_for_completed_orders", "int(amount) points for every completed order, none for a cancelled one",
          4, points_for_completed_orders),
    Check("points_once_per_order", "points once per order, even when events arrive twice", 3,
          points_once_per_order),
    Check("flow_unchanged", "the agent only announces PointsAwarded; every order ends as before", 3, flow_unchanged),
])
