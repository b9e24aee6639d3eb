"""Exercise 13 · stale decisions: find the orders decided on an old copy, then stop deciding on one.

Sales decides orders on credit against its copy of the limits the credit
service owns; the copy is fed by events, and the feed lags. Every order
carries ``credit_version``, the version of the customer's record it was
placed against, and every decision leaves a ``read`` note with the version
it read. The learner writes ``stale_decisions(result)`` (the orders decided
on a copy older than the order) and ``FreshSales``, a sales service that
never does that and asks the record only when its copy is behind.

The checks draw workloads and lag patterns at grading time (never the
notebook's seed 13): how many orders and customers, how often limits
change, how late the feed is and for what share of the changes.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.grading.causes import verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch, watched
from playground.grading.unseen import Unseen, on, split
from playground.scenarios.stale_copies import consumer_lag, stale_copies
from playground.services.credit import CheckingSales, Sales, decision

DETECTOR, SERVICE = "stale_decisions", "FreshSales"
UNSEEN = Unseen(runs=2, orders=(60, 120), customers=(5, 14), change_rate=(0.1, 0.35), lag=(8.0, 50.0),
                share=(0.3, 1.0), avoid_seeds={13})
KNOBS = ("lag", "share")


def _each(judge) -> None:
    """``judge(the scenario's parameters, the lag's fault plan)`` on every drawn workload; a failure names it."""
    for workload in UNSEEN.draw():
        knobs, params = split(workload, *KNOBS)
        with on(workload):
            judge(params, consumer_lag(knobs["lag"], knobs["share"]))


def _placed(result) -> dict[str, int]:
    """Order id → the record's version its checkout page showed (the storefront keeps that log)."""
    placed = result.extras.get("placed_against")
    if placed is None:
        raise Failed("the run does not say which version each order was placed against; run stale_copies()")
    return dict(placed)


def _reads(result) -> dict[str, dict]:
    """Order id → the first ``read`` note of its decision (what sales read, at which version, what it decided)."""
    reads: dict[str, dict] = {}
    for e in result.trace.entries:
        if e.kind == "data" and e.detail.get("role") == "read":
            reads.setdefault(str(e.detail.get("decision")), {**e.detail, "at": e.at})
    return reads


def truly_stale(result) -> set[str]:
    """The orders decided on a copy older than the version they were placed against."""
    placed, reads = _placed(result), _reads(result)
    return {order for order, read in reads.items()
            if order in placed and read.get("version") is not None and read["version"] < placed[order]}


def _describe(result, order: str) -> str:
    read, placed = _reads(result)[order], _placed(result)[order]
    return (f"{order} was placed against version {placed} of {read['key']}'s limit and decided on version "
            f"{read['version']}")


def finds_stale_decisions(ns: Mapping[str, Any]) -> None:
    _each(lambda params, lag: _finds(fetch(ns, DETECTOR), params, lag))


def _finds(find, params: dict, lag) -> None:
    for faults, when in ((None, "With no lag"), (lag, "With the feed lagging")):
        result = stale_copies(**params, faults=faults).run()
        found = find(result)
        if isinstance(found, (str, bytes)) or not hasattr(found, "__iter__"):
            raise Failed(f"`{DETECTOR}` should return a set of order ids, not {type(found).__name__}")
        found, truth = set(found), truly_stale(result)
        missed, extra = sorted(truth - found), sorted(found - truth)
        if missed:
            raise Failed(f"{when}, your detector misses {len(missed)} of {len(truth)} stale decisions: "
                         f"{_describe(result, missed[0])}; compare the version each decision read with the "
                         "version its order carries")
        if extra:
            if extra[0] in _reads(result):
                why = f"{_describe(result, extra[0])}, so its copy was current enough"
            else:
                why = f"{extra[0]} is not an order this run decided"
            raise Failed(f"{when}, your detector names {len(extra)} decisions that are not stale: {why}; a "
                         "decision is stale only when the version it read is older than its order's")


def _run(ns: Mapping[str, Any], params: dict, faults) -> tuple[Any, type]:
    cls = fetch(ns, SERVICE, what="class", base=Sales)
    if issubclass(cls, CheckingSales):
        raise Failed(f"`{SERVICE}` is built on the chapter's CheckingSales; write the check yourself on Sales or "
                     "VersionedSales")
    probe = watched(cls)
    result = stale_copies(**params, sales=probe, faults=faults).run()
    verdict_on_run(result, service="sales", probe=probe)
    return result, probe


def _decided_by_the_rule(result) -> None:
    reads = _reads(result)
    for order, outcome in result.outcomes.items():
        if order not in reads:
            raise Failed(f"{order} ended {outcome} without sales reading any limit for it; decide through "
                         "self.decide(order_id, customer, amount, limit, version), on the copy when it is recent "
                         "enough and on the record's answer when it is not")
        read = reads[order]
        if outcome != decision(read, read["value"]):
            raise Failed(f"{order} was {outcome}, yet it asked for {read['amount']:g} against the limit of "
                         f"{read['value']:g} it read; decide by the rule (accept when the amount fits), on a "
                         "current limit")


def _asks(result) -> int:
    return sum(1 for e in result.trace.entries if e.kind == "send" and e.type == "CreditCheckRequested")


def every_order_decided(ns: Mapping[str, Any]) -> None:
    _each(lambda params, _: _decided_without_asking(_run(ns, params, None)[0]))


def _decided_without_asking(result) -> None:
    _decided_by_the_rule(result)
    if _asks(result):
        raise Failed(f"with no lag at all your sales asked the record {_asks(result)} times; its copy is never "
                     "behind then, so ask only when the copy's version is older than the order's credit_version")


def no_stale_decisions_under_lag(ns: Mapping[str, Any]) -> None:
    _each(lambda params, lag: _fresh(_run(ns, params, lag)[0]))


def _fresh(result) -> None:
    stale = sorted(truly_stale(result))
    if stale:
        raise Failed(f"with the feed lagging, {len(stale)} orders were still decided on an old copy: "
                     f"{_describe(result, stale[0])}; when the copy is older than the order, ask the record "
                     "(CreditCheckRequested) and decide on its answer")
    _decided_by_the_rule(result)


def asks_only_when_behind(ns: Mapping[str, Any]) -> None:
    _each(lambda params, lag: _asks_sparingly(_run(ns, params, lag)[0], params, lag))


def _asks_sparingly(result, params: dict, lag) -> None:
    needed = _asks(stale_copies(**params, sales=CheckingSales, faults=lag).run())
    asked = _asks(result)
    # Twice the necessary questions (and two more) leaves room for a copy that lets late events roll it back.
    if asked > 2 * needed + 2:
        raise Failed(f"your sales asked the record about {asked} of {len(result.outcomes)} orders, where only "
                     f"{needed} were placed against a newer version than the copy held; asking about every "
                     "order throws the copy away, so ask only when the copy is behind")


EXERCISE = Exercise("13_stale_decisions", "Stale decisions", [
    Check("finds_stale_decisions", "your detector finds exactly the orders decided on an old copy", 3,
          finds_stale_decisions),
    Check("every_order_decided", "every order is decided by the rule, with no question asked when nothing lags", 2,
          every_order_decided),
    Check("no_stale_decisions_under_lag", "no order is decided on a copy older than the order, whatever the lag", 3,
          no_stale_decisions_under_lag),
    Check("asks_only_when_behind", "the record is asked only when the copy is behind", 2, asks_only_when_behind),
])
