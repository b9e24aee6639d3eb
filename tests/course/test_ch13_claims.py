"""Chapter 13's claims, on the runs the chapter shows: each pitfall found by its detector, and gone after its fix."""

import pytest

from playground.analysis.otel import export_spans
from playground.analysis.pitfalls import (detect_chatty_events, detect_god_orchestrator, detect_lost_stories,
                                          detect_stale_copies)
from playground.analysis.scope import load
from playground.runtime.faults import FaultPlan
from playground.scenarios.god_orchestrator import growing_orchestrator
from playground.scenarios.order_flow import order_flow
from playground.scenarios.ping_pong import ping_pong
from playground.scenarios.spaghetti import event_spaghetti
from playground.scenarios.stale_copies import consumer_lag, stale_copies
from playground.services.credit import CheckingSales, VersionedSales

EXTRAS = ("confirm", "push", "report")
SEED, LAG = 1, consumer_lag(seconds=30, fraction=0.5)
REMEDIES = {"nothing": {}, "reconcile every 30 s": {"reconcile_every": 30},
            "reconcile every 10 s": {"reconcile_every": 10}, "versioned events": {"sales": VersionedSales},
            "version check": {"sales": CheckingSales}}


def _sends(run, type_=None):
    return [e for e in run.trace.entries if e.kind == "send" and (type_ is None or e.type == type_)]


def test_ch13_the_grown_saga_ties_7_teams_with_a_tail_of_4_and_the_split_4_carrying_18_then_12_per_order():
    grown = growing_orchestrator(orders=40, seed=6, extras=EXTRAS)
    split = growing_orchestrator(orders=40, seed=6, extras=EXTRAS, split=True)
    god, bounded = detect_god_orchestrator(grown), detect_god_orchestrator(split)
    (saga,) = god.sagas
    assert god.found and (saga.steps, len(saga.teams), saga.tail) == (9, 7, ("complete", "confirm", "push", "report"))
    assert not bounded.found and (bounded.sagas[0].steps, len(bounded.sagas[0].teams)) == (6, 4)
    platform = {s: "platform" for s in ("email", "push", "reports")}  # exercise 1: five teams, still over budget
    assert len(detect_god_orchestrator(grown, teams=platform).too_big[0].teams) == 5
    runs = grown.run(), split.run()
    assert all(run.counts() == {"completed": 40} for run in runs)
    assert [load(run).per_transaction for run in runs] == [18, 12]


def test_ch13_ungoverned_51_messages_11_hops_governed_9_and_8_the_loop_found_the_fix_8_and_8():
    ungoverned = detect_chatty_events(event_spaghetti(orders=20, seed=9, teams=5).run())
    governed = detect_chatty_events(event_spaghetti(orders=20, seed=9, teams=5, style="governed").run())
    loop = detect_chatty_events(ping_pong(orders=5, max_depth=12).run())
    fixed = detect_chatty_events(order_flow(orders=5, seed=1).run())
    assert ungoverned.found and (ungoverned.most_messages, ungoverned.deepest) == (51, 11)
    assert not governed.found and (governed.most_messages, governed.deepest) == (9, 8)
    assert loop.found and loop.loops == ("InvoiceCreated → PaymentReceived → InvoiceCreated",)
    assert not fixed.found and (fixed.most_messages, fixed.deepest, fixed.loops) == (8, 8, ())
    assert detect_chatty_events(event_spaghetti(orders=20, seed=9, teams=5, style="governed").run(),
                                max_messages=8).over_budget  # exercise 2: every governed order is over 8


@pytest.fixture(scope="module")
def cut():
    plan = FaultPlan(uncorrelated=["payments"])
    return {w: order_flow(orders=30, seed=2, wiring=w, faults=plan).run() for w in ("choreography", "orchestration")}


def test_ch13_dropped_ids_lose_all_30_stories_after_payments_completed_silently_or_stalled_loudly(cut):
    chor, orch = detect_lost_stories(cut["choreography"]), detect_lost_stories(cut["orchestration"])
    assert len(chor.untold) == len(orch.untold) == 30 and chor.cold_after == orch.cold_after == {"payments": 30}
    assert chor.orphans == 150 and orch.orphans == 30
    assert len(_sends(cut["choreography"], "OrderCompleted")) == 30 and not cut["choreography"].dead_letters
    assert len(_sends(cut["choreography"], "ConfirmationSent")) == 30  # every customer got an email
    assert len(_sends(cut["orchestration"], "OrderCompleted")) == 0 and len(cut["orchestration"].dead_letters) == 30


def test_ch13_the_same_210_spans_fall_into_60_traces_instead_of_30(cut):
    whole = order_flow(orders=30, seed=2).run()
    assert not detect_lost_stories(whole).found
    for run, traces in ((whole, 30), (cut["choreography"], 60)):
        spans = export_spans(run)
        assert (len(spans), len({s.context.trace_id for s in spans})) == (210, traces)


def test_ch13_exercise_3_ids_dropped_by_email_lose_no_story_and_leave_30_orphans():
    run = order_flow(orders=30, seed=2, faults=FaultPlan(uncorrelated=["email"])).run()
    found = detect_lost_stories(run)
    assert run.counts() == {"completed": 30} and not found.untold and found.orphans_from == {"email": 30}


@pytest.fixture(scope="module")
def remedies():
    return {label: stale_copies(seed=SEED, faults=LAG, **params).run() for label, params in REMEDIES.items()}


def test_ch13_no_lag_no_stale_read_with_lag_29_of_150_stale_17_wrong_one_copy_wrong_at_the_end(remedies):
    calm = detect_stale_copies(stale_copies(seed=SEED).run())
    assert not calm.found and calm.reads == 150 and 0 < calm.stale_seconds["sales"] < 1
    drift = detect_stale_copies(remedies["nothing"])
    assert (len(drift.stale_reads), len(drift.wrong), drift.reads) == (29, 17, 150)
    assert drift.stale_at_end == (("sales", "customer-02", 500.0, 4000.0),)


def test_ch13_the_timeline_customer_lost_4000_to_1000_three_wrong_and_three_harmless_in_half_a_minute(remedies):
    reads = [r for r in detect_stale_copies(remedies["nothing"]).stale_reads if r.key == "customer-03"]
    assert {(r.used, r.record) for r in reads} == {(4000.0, 1000.0)}
    assert sorted(r.wrong for r in reads) == [False] * 3 + [True] * 3
    assert all(r.time < 40 for r in reads)
    assert all(2000 <= e.detail["amount"] <= 2800 for e in remedies["nothing"].trace.entries
               if e.kind == "data" and e.detail.get("role") == "read" and e.detail["key"] == "customer-03"
               and any(r.wrong and r.decision == e.detail["decision"] for r in reads))


def test_ch13_version_4_arrived_after_version_5_and_rolled_the_copy_back_to_500(remedies):
    rows = [(e.detail["role"], e.detail["version"]) for e in remedies["nothing"].trace.entries
            if e.kind == "data" and e.detail["key"] == "customer-02" and e.detail["role"] != "read"]
    assert rows[-4:] == [("record", 4), ("record", 5), ("copy", 5), ("copy", 4)]


def test_ch13_each_remedy_removes_a_different_thing(remedies):
    table = {}
    for label, run in remedies.items():
        found = detect_stale_copies(run)
        table[label] = (len(found.stale_reads), len(found.wrong), len(found.stale_at_end), len(_sends(run)),
                        len(_sends(run, "CreditCheckRequested")))
    assert table == {"nothing": (29, 17, 1, 366, 0), "reconcile every 30 s": (24, 12, 1, 374, 0),
                     "reconcile every 10 s": (5, 2, 0, 392, 0), "versioned events": (18, 8, 0, 366, 0),
                     "version check": (0, 0, 0, 380, 7)}
    rounds = [e for e in _sends(remedies["reconcile every 10 s"], "ReconcileCredit") if e.correlation_id != "load-0001"]
    assert len(rounds) == 13


def test_ch13_orchestrated_every_order_is_decided_the_same_way(remedies):
    for label in ("nothing", "version check"):
        orchestrated = stale_copies(seed=SEED, faults=LAG, wiring="orchestration", **REMEDIES[label]).run()
        assert orchestrated.outcomes == remedies[label].outcomes


@pytest.mark.parametrize("period, wrong, rounds, passes", [
    (60, 16, 2, False), (5, 1, 27, False), (7, 2, 19, True), (8, 3, 17, True), (9, 4, 15, False),
    (10, 2, 13, True), (12, 7, 11, False)])
def test_ch13_your_turn_periods(period, wrong, rounds, passes):
    run = stale_copies(seed=SEED, faults=LAG, reconcile_every=period).run()
    counted = len([e for e in _sends(run, "ReconcileCredit") if e.correlation_id != "load-0001"])
    assert (len(detect_stale_copies(run).wrong), counted) == (wrong, rounds)
    assert (wrong <= 3 and rounds <= 20) == passes


def test_ch13_exercise_4_all_late_by_60_s_versions_change_nothing():
    naive = detect_stale_copies(stale_copies(seed=SEED, faults=consumer_lag(60)).run())
    versioned = detect_stale_copies(stale_copies(seed=SEED, faults=consumer_lag(60), sales=VersionedSales).run())
    assert (len(naive.stale_reads), len(naive.wrong)) == (len(versioned.stale_reads), len(versioned.wrong)) == (71, 36)
