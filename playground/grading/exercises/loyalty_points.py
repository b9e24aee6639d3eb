"""Exercise 07 · a loyalty service joins the running choreography, and no producer changes.

The learner writes ``Loyalty`` (a Service named ``"loyalty"``) and
``LOYALTY_REACTIONS`` (event → command). The checks run the order flow with
it on workloads drawn at grading time (never the notebook's seed 7) and
judge the trace: points for every completed order and none for a cancelled
one, once each even when events arrive twice or a call fails before it is
acknowledged, every producer doing exactly what it did before the newcomer
arrived, and no message dead-lettered on the way.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping

from playground.analysis.invariants import effects_at_most_once
from playground.catalog import CATALOG
from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch, watched
from playground.grading.pristine import fresh, same_code
from playground.grading.unseen import Unseen, on, split
from playground.runtime.faults import Duplicate, FailCalls, FaultPlan
from playground.runtime.randomness import Randomness
from playground.scenarios import order_flow
from playground.scenarios.new_consumer import order_flow_with
from playground.services.base import Service
from playground.flows import orders as order_flows

SERVICE, REACTIONS, EFFECT = "Loyalty", "LOYALTY_REACTIONS", "points"
#: Workloads drawn at grading time: big enough that some payments are declined and some orders cancelled.
UNSEEN = Unseen(runs=3, orders=(30, 60), decline_rate=(0.2, 0.4), avoid_seeds={7})
#: At-least-once delivery at its worst for a newcomer: repeats, and crashes between the work and the ack.
REPEATED = Unseen(runs=2, orders=(30, 50), decline_rate=(0.2, 0.3), avoid_seeds={7},
                  completed_twice=(0.4, 0.7), placed_twice=(0.2, 0.5), first_crash=(1, 4))
#: Purchases the service is tried on alone: amounts no notebook printed.
PURCHASE = Unseen(runs=1, amount=(10.0, 400.0), other=(10.0, 400.0))


def _repeats(knobs: dict) -> FaultPlan:
    crash = knobs["first_crash"]
    return FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox="loyalty", fraction=knobs["completed_twice"]),
                               Duplicate(type="OrderPlaced", inbox="loyalty", fraction=knobs["placed_twice"])],
                     failures=[FailCalls("loyalty", type="OrderCompleted", after_work=True,
                                         nth=(crash, crash + 3, crash + 7))])

#: The order flow's services: the producers the newcomer must leave alone.
PRODUCERS = tuple(order_flows.ORDER_REACTIONS)


def _learner(ns: Mapping[str, Any]) -> tuple[type, dict]:
    cls = fetch(ns, SERVICE, what="class", base=Service)
    cls()  # an unfinished __init__ is the first thing to report, before anything it leads to
    reactions = fetch(ns, REACTIONS, what="dict")
    if not isinstance(reactions, Mapping):
        raise Failed(f"`{REACTIONS}` should be a dict of event → command, not {type(reactions).__name__}")
    if getattr(cls, "name", "") != "loyalty":
        raise Failed(f"`{SERVICE}.name` is {getattr(cls, 'name', None)!r}; call the service \"loyalty\" so its "
                     "commands (RecordPurchase, AwardPoints) reach it")
    return cls, dict(reactions)


def _run(ns: Mapping[str, Any], workload: dict, **extra: Any):
    cls, reactions = _learner(ns)
    probe = watched(cls, reactions)
    result = order_flow_with(probe, reactions, **workload, **extra).run()
    verdict_on_run(result, service="loyalty", probe=probe, table=REACTIONS)
    return result


def _awards(result) -> dict[str, list]:
    awards = defaultdict(list)
    for e in result.trace.where(kind="effect", at="loyalty"):
        if e.detail.get("effect") == EFFECT:
            awards[e.detail.get("key")].append(e)
    return awards


def _amount(result, order_id: str) -> float:
    return result.services["orders"].orders[order_id]["amount"]


def awards_points(ns: Mapping[str, Any]) -> None:
    """The service on its own: record two purchases, complete one, and look at what it did."""
    (drawn,) = PURCHASE.draw()
    amount, other, seed = drawn["amount"], drawn["other"], drawn["seed"]
    order, second, customer = f"order-{seed % 9000 + 1000}", f"order-{seed % 9000 + 1001}", f"customer-{seed % 97}"
    service = fetch(ns, SERVICE, what="class", base=Service)()
    service.handle("RecordPurchase", {"order_id": order, "customer": customer, "amount": amount})
    service.handle("RecordPurchase", {"order_id": second, "customer": customer, "amount": other})
    early = [n for n in service.take_notes() if n.kind == "effect"]
    if early:
        raise Failed("the service had an effect as soon as it recorded a purchase; award nothing before "
                     "AwardPoints — the order may still be cancelled")
    emitted = service.handle("AwardPoints", {"order_id": order, "customer": customer})
    effects = [n.detail for n in service.take_notes() if n.kind == "effect" and n.detail.get("effect") == EFFECT]
    want = int(amount)
    if not effects:
        raise Failed(f'AwardPoints after a purchase of {amount:.2f} left no "{EFFECT}" effect; note the award with '
                     f'self.note_effect("{EFFECT}", order_id, customer=customer, points=points)')
    if effects[0].get("key") != order or effects[0].get("points") != want:
        raise Failed(f"AwardPoints for {order} after a purchase of {amount:.2f} noted key {effects[0].get('key')!r} "
                     f"and {effects[0].get('points')!r} points; expected key {order!r} and {want} points (one per "
                     "whole unit of that order's own amount)")
    announced = [e for e in emitted if e.type == "PointsAwarded"]
    if not announced or announced[0].payload.get("points") != want:
        raise Failed(f'AwardPoints did not return [emit("PointsAwarded", order_id=..., customer=..., '
                     f'points={want})]; announce the award so others can react to it')
    problem = CATALOG.contract_problem(announced[0].type, announced[0].payload)
    if problem:
        raise Failed(f"the PointsAwarded your service returns breaks its contract ({problem}); give it every "
                     "field the catalog declares: order_id, customer and points")


def points_for_completed_orders(ns: Mapping[str, Any]) -> None:
    for workload in UNSEEN.draw():
        with on(workload):
            _points_for_completed_orders(_run(ns, workload))


def _points_for_completed_orders(result) -> None:
    awards = _awards(result)
    how = (f'note each award with self.note_effect("{EFFECT}", order_id, customer=customer, points=points) '
           "when an order completes")
    if not awards:
        raise Failed(f"the loyalty service awarded no points in {len(result.outcomes)} orders; {how}")
    for order_id, state in sorted(result.outcomes.items()):
        got = awards.get(order_id, [])
        if state == "cancelled" and got:
            raise Failed(f"{order_id} was cancelled (its payment was declined) yet earned "
                         f"{got[0].detail.get('points')} points; award points only when an order completes — "
                         "react to OrderCompleted, not OrderPlaced")
        if state == "completed":
            if not got:
                raise Failed(f"{order_id} completed but earned no points; {how}")
            want, points = int(_amount(result, order_id)), got[0].detail.get("points")
            if points != want:
                raise Failed(f"{order_id} (amount {_amount(result, order_id):.2f}) earned {points!r} points; it should "
                             f"earn {want}, one per whole unit of the amount recorded from OrderPlaced")


def points_once_per_order(ns: Mapping[str, Any]) -> None:
    for workload in REPEATED.draw():
        knobs, params = split(workload, "completed_twice", "placed_twice", "first_crash")
        with on(workload):
            _points_once_per_order(_run(ns, params, faults=_repeats(knobs)))


def _points_once_per_order(result) -> None:
    twice = [v for v in effects_at_most_once(result) if v.message.startswith("loyalty did 'points'")]
    if twice:
        order_id = twice[0].correlation_id
        times = len(twice[0].evidence)
        raise Failed(f"{order_id} earned points {times} times when OrderCompleted reached the loyalty service "
                     "again (a duplicate, or a redelivery after a crash before the acknowledgement); remember which "
                     "orders already earned points and ignore a repeat")
    awards = _awards(result)
    if not awards:
        raise Failed(f"with repeated deliveries the loyalty service awarded no points in {len(result.outcomes)} "
                     "orders; award points when an order completes, and ignore only the repeats")
    missed = [o for o, state in sorted(result.outcomes.items()) if state == "completed" and o not in awards]
    if missed:
        raise Failed(f"with repeated deliveries {missed[0]} completed but earned no points; ignore a repeat "
                     "of an order that already earned points, never the first delivery")


def _producer_view(result) -> dict[str, list[tuple]]:
    """Everything each producer did, without ids (the newcomer's messages shift the counter)."""
    view: dict[str, list] = defaultdict(list)
    for e in result.trace.entries:
        if e.at not in PRODUCERS:
            continue
        detail = e.detail
        if e.kind == "send":
            detail = [t for t in e.detail.get("to", ()) if t in PRODUCERS]
        view[e.at].append((e.time, e.kind, e.type, e.correlation_id, repr(detail)))
    return view


def _same_producers() -> None:
    """The producers' reaction tables and handlers are the ones the playground ships."""
    # Where the table is declared: the wirings import that very dict, so a change shows there.
    shipped, now = fresh(order_flows.__name__).ORDER_REACTIONS, order_flows.ORDER_REACTIONS
    for name in sorted(set(shipped) | set(now)):
        if now.get(name) != shipped.get(name):
            raise Failed(f"the reaction table of `{name}` changed (it was {shipped.get(name)}, now {now.get(name)}); "
                         f"leave ORDER_REACTIONS alone — the newcomer brings its own table, `{REACTIONS}`")
    services = fresh("playground.services.orders")
    originals = {cls.name: cls for cls in vars(services).values()
                 if isinstance(cls, type) and issubclass(cls, Service) and cls.name in PRODUCERS}
    for name, service in order_flow().build_services(Randomness(0)).items():
        cls, original = type(service), originals[name]
        for command, attr in original.commands.items():
            if not same_code(getattr(cls, cls.commands.get(command, ""), None), getattr(original, attr)):
                raise Failed(f"the {name} service's handler for {command} is not the one the order flow ships with; "
                             "a newcomer must not change a producer — take what you need from the events it "
                             "already publishes")


def producers_unchanged(ns: Mapping[str, Any]) -> None:
    _same_producers()
    for workload in UNSEEN.draw():
        with on(workload):
            _producers_unchanged(ns, workload)


def _producers_unchanged(ns: Mapping[str, Any], workload: dict) -> None:
    with_newcomer = _run(ns, workload)
    sent_by_loyalty = {e.type for e in with_newcomer.trace.where(kind="send", at="loyalty")}
    foreign = sorted(t for t in sent_by_loyalty if t != "PointsAwarded")
    if foreign:
        raise Failed(f"the loyalty service sent {foreign[0]}; a newcomer only listens and announces its own "
                     "event (PointsAwarded), it never tells another service what to do")
    before = _producer_view(order_flow(**workload).run())
    after = _producer_view(with_newcomer)
    for name in PRODUCERS:
        if before[name] != after[name]:
            first = next(i for i, (a, b) in enumerate(zip(before[name] + [None], after[name] + [None])) if a != b)
            what = after[name][first] if first < len(after[name]) else before[name][first]
            raise Failed(f"with the loyalty service joined, the {name} service behaved differently "
                         f"({what[1]} of {what[2]} for {what[3]} at {what[0]:.2f} s); a newcomer must leave "
                         "every producer exactly as it was")


EXERCISE = Exercise("07_loyalty_points", "A loyalty service joins the troupe", [
    Check("awards_points", "the service credits int(amount) points for a recorded purchase", 2, awards_points),
    Check("points_for_completed_orders", "points for every completed order, none for a cancelled one", 3,
          points_for_completed_orders),
    Check("points_once_per_order", "points once per order, even when events arrive twice", 3, points_once_per_order),
    Check("producers_unchanged", "no producer changed: same code, same reactions, same behaviour", 2,
          producers_unchanged),
])
