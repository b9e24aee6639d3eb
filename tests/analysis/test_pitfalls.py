import pytest

from playground.analysis.pitfalls import (detect_chatty_events, detect_god_orchestrator, detect_lost_stories,
                                          detect_stale_copies, value_history)
from playground.errors import PlaygroundError
from playground.runtime.fault_rules import Drop
from playground.runtime.faults import FaultPlan
from playground.scenarios.god_orchestrator import growing_orchestrator, order_saga
from playground.scenarios.order_flow import order_flow
from playground.scenarios.ping_pong import ping_pong
from playground.scenarios.spaghetti import event_spaghetti
from playground.scenarios.stale_copies import consumer_lag, stale_copies
from playground.services.credit import CheckingSales, VersionedSales

EXTRAS = ("confirm", "push", "report")


def test_a_grown_saga_is_found_and_its_split_is_not():
    grown = detect_god_orchestrator(growing_orchestrator(extras=EXTRAS))
    split = detect_god_orchestrator(growing_orchestrator(extras=EXTRAS, split=True))
    assert grown.found and not split.found
    (saga,) = grown.too_big
    assert (saga.steps, len(saga.teams), saga.tail) == (9, 7, ("complete", "confirm", "push", "report"))
    assert grown.verdict.startswith("god orchestrator: saga 'order' has 9 steps and ties 7 teams")
    assert split.verdict == "bounded: the widest saga ('order') has 6 steps and ties 4 teams together (budget 4)"


def test_teams_owning_several_services_and_the_budget_change_the_verdict():
    saga = order_saga(EXTRAS)
    one_team = {s: "platform" for s in ("email", "push", "reports")}
    assert len(detect_god_orchestrator(saga, teams=one_team).sagas[0].teams) == 5
    assert not detect_god_orchestrator(saga, max_teams=7).found


def test_the_god_detector_refuses_what_holds_no_saga():
    with pytest.raises(PlaygroundError, match="choreographed"):
        detect_god_orchestrator(event_spaghetti(orders=1, teams=0))
    with pytest.raises(PlaygroundError, match="SagaDefinition"):
        detect_god_orchestrator(42)


def test_ungoverned_growth_and_a_loop_are_chatty_governed_growth_is_not():
    ungoverned = detect_chatty_events(event_spaghetti(orders=10, seed=1, teams=5).run())
    governed = detect_chatty_events(event_spaghetti(orders=10, seed=1, teams=5, style="governed").run())
    loop = detect_chatty_events(ping_pong(orders=2, max_depth=12).run())
    assert ungoverned.found and (ungoverned.most_messages, ungoverned.deepest) == (51, 11)
    assert len(ungoverned.over_budget) == 10 and not ungoverned.loops
    assert not governed.found and governed.verdict.startswith("within budget: at most 9 messages")
    assert loop.found and loop.loops == ("InvoiceCreated → PaymentReceived → InvoiceCreated",)
    assert "a message loop" in loop.verdict


def test_a_service_that_drops_the_ids_loses_every_story_after_it_and_is_named():
    for wiring in ("choreography", "orchestration"):
        cut = detect_lost_stories(order_flow(orders=10, seed=2, wiring=wiring,
                                             faults=FaultPlan(uncorrelated=["payments"])).run())
        whole = detect_lost_stories(order_flow(orders=10, seed=2, wiring=wiring).run())
        assert cut.found and len(cut.untold) == 10 and cut.cold_after == {"payments": 10}
        assert cut.orphans_from.keys() == {"payments"} or wiring == "choreography"
        assert not whole.found and whole.orphans == 0
    assert "the trail goes cold after payments (10)" in cut.verdict


def test_a_transaction_whose_message_never_arrived_is_a_told_story_not_a_lost_one():
    dropped = order_flow(orders=5, seed=1, faults=FaultPlan(messages=[Drop(inbox="shipping", nth=2)])).run()
    assert dropped.counts()["unfinished"] == 1 and not detect_lost_stories(dropped).found


def test_lagging_copies_are_found_with_their_wrong_decisions_and_the_version_check_finds_none():
    lag = consumer_lag(seconds=30, fraction=0.5)
    naive = detect_stale_copies(stale_copies(seed=1, faults=lag).run())
    versioned = detect_stale_copies(stale_copies(seed=1, faults=lag, sales=VersionedSales).run())
    checked = detect_stale_copies(stale_copies(seed=1, faults=lag, sales=CheckingSales).run())
    calm = detect_stale_copies(stale_copies(seed=1).run())
    assert naive.found and len(naive.stale_reads) == 29 and len(naive.wrong) == 17 and len(naive.stale_at_end) == 1
    assert len(versioned.stale_reads) < len(naive.stale_reads) and versioned.stale_at_end == ()
    assert not checked.found and checked.reads == 150
    # Without lag the copy still trails each change by the moments it takes to handle it, and no more.
    assert not calm.found and 0 < calm.stale_seconds["sales"] < 1
    assert all(r.used != r.record for r in naive.stale_reads)


def test_without_a_rule_stale_reads_are_counted_but_not_judged():
    run = stale_copies(seed=1, faults=consumer_lag(30, 0.5)).run()
    run.extras.pop("decide")
    drift = detect_stale_copies(run)
    assert drift.stale_reads and all(r.wrong is None for r in drift.stale_reads)
    assert "decided differently" not in drift.verdict
    judged = detect_stale_copies(run, decide=lambda read, limit: "same")
    assert len(judged.wrong) == len(judged.stale_reads)


def test_value_history_follows_the_record_and_the_copy():
    run = stale_copies(orders=30, seed=2).run()
    history = value_history(run, "customer-01")
    assert set(history) == {"record", "sales"}
    assert 0 < history["record"][0][0] < history["sales"][0][0] <= 2  # set first, copied from the load
    with pytest.raises(PlaygroundError, match="customer-01"):
        value_history(run, "nobody")


def test_ids_dropped_at_the_end_of_the_chain_lose_no_story_but_leave_orphans():
    found = detect_lost_stories(order_flow(orders=10, seed=2, faults=FaultPlan(uncorrelated=["email"])).run())
    assert found.found and not found.untold and found.orphans == 10
    assert found.verdict == ("every one of 10 transactions has its ending, but 10 messages from email carry no "
                             "correlation id")
