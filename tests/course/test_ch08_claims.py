"""Chapter 08's claims (resilience through decoupling), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

from playground.analysis.invariants import check
from playground.runtime.faults import FaultPlan

CH08_DOWN = (60, 180)


@pytest.fixture(scope="module")
def ch08_runs():
    from playground.runtime.faults import Drop
    from playground.scenarios.confirmation import confirmation_flow
    from playground.scenarios.god_orchestrator import growing_orchestrator

    outage = FaultPlan(outages={"email": [CH08_DOWN]})
    lossy = FaultPlan(outages={"email": [CH08_DOWN]},
                      messages=[Drop(type="OrderCompleted", inbox="email", nth=100)])
    return {"choreography": confirmation_flow(orders=300, seed=8, faults=outage).run(),
            "orchestration": confirmation_flow(orders=300, seed=8, wiring="orchestration", faults=outage).run(),
            "strict": confirmation_flow(orders=300, seed=8, wiring="orchestration", email_timeout=30, faults=outage).run(),
            "split": growing_orchestrator(orders=300, seed=8, extras=("confirm",), split=True, faults=outage).run(),
            "lost": confirmation_flow(orders=300, seed=8, faults=lossy).run()}


def test_ch08_orders_keep_completing_in_the_choreography_and_none_complete_in_the_orchestration(ch08_runs):
    from playground.analysis.scope import open_at
    from playground.analysis.windows import finished_between

    chor, orch = ch08_runs["choreography"], ch08_runs["orchestration"]
    assert chor.counts() == orch.counts() == {"completed": 300}
    during = finished_between(chor, *CH08_DOWN, outcome="completed")
    assert during > 100 and finished_between(orch, *CH08_DOWN) == 0
    assert open_at(orch, CH08_DOWN[1] - 0.1) == during  # every order that arrived meanwhile was held open


def test_ch08_the_email_backlog_is_the_same_in_both_and_returns_to_zero_after_recovery(ch08_runs):
    from playground.analysis.metrics import backlog
    from playground.analysis.windows import drained_at, peak

    chor, orch = ch08_runs["choreography"], ch08_runs["orchestration"]
    series = {w: backlog(r, ["email"])["email"] for w, r in (("c", chor), ("o", orch))}
    assert peak(series["c"]) == peak(series["o"]) > 100
    assert series["c"].values[-1] == series["o"].values[-1] == 0
    assert CH08_DOWN[1] < drained_at(chor, "email", after=CH08_DOWN[1]) == drained_at(orch, "email", after=CH08_DOWN[1]) < CH08_DOWN[1] + 30


def test_ch08_choreographed_latency_does_not_move_and_orchestrated_latency_grows_with_the_outage(ch08_runs):
    from playground.analysis.metrics import latency_percentiles
    from playground.analysis.windows import latency_by_start

    chor, orch = ch08_runs["choreography"], ch08_runs["orchestration"]
    assert max(latency_by_start(chor)[1]) < 2
    assert latency_percentiles(orch, (99,))[99] > 100
    starts, took = latency_by_start(orch)
    during = [(s, t) for s, t in zip(starts, took) if CH08_DOWN[0] <= s < CH08_DOWN[1]]
    assert all(t >= CH08_DOWN[1] - s for s, t in during)  # every one waited for email to come back
    assert during[0][1] > during[-1][1] + 80  # the earlier in the outage, the longer the wait


def test_ch08_a_deadline_on_the_email_step_cancels_paid_orders_that_are_then_confirmed_anyway(ch08_runs):
    strict = ch08_runs["strict"]
    cancelled = {o for o, outcome in strict.outcomes.items() if outcome == "cancelled"}
    told = {e.correlation_id for e in strict.trace.where(kind="effect", at="email")}
    assert len(cancelled) > 50 and cancelled <= told
    assert all(not found for found in check(strict).values())
    first = sorted(cancelled)[0]
    kinds = [e.kind for e in strict.trace.where(correlation_id=first) if e.kind in ("timeout", "compensate", "dead_letter")]
    assert kinds[0] == "timeout" and kinds.count("compensate") == 4 and kinds[-1] == "dead_letter"
    placed = strict.trace.where(kind="send", type="PlaceOrder", correlation_id=first)[0].time
    shipped = next(e.time for e in strict.trace.where(kind="effect", correlation_id=first) if e.detail["effect"] == "ship")
    timed_out = strict.trace.where(kind="timeout", correlation_id=first)[0].time
    assert shipped - placed < 1 and timed_out > shipped  # charged and shipped within a second, undone later


def test_ch08_taking_the_email_out_of_the_saga_completes_orders_during_the_outage(ch08_runs):
    from playground.analysis.windows import finished_between

    split, chor = ch08_runs["split"], ch08_runs["choreography"]
    assert split.counts() == {"completed": 300} and len(split.services["email"].sent) == 300
    assert finished_between(split, *CH08_DOWN, outcome="completed") == finished_between(chor, *CH08_DOWN, outcome="completed")


def test_ch08_one_lost_message_breaks_no_invariant_and_only_the_trace_finds_the_order(ch08_runs):
    from playground.analysis.reconcile import unanswered

    lost = ch08_runs["lost"]
    assert lost.counts() == {"completed": 300} and lost.dead_letters == []
    assert all(not found for found in check(lost).values())
    (order,) = unanswered(lost, "OrderCompleted", "ConfirmationSent")
    entries = lost.trace.where(correlation_id=order)
    completed = next(e for e in entries if e.kind == "send" and e.type == "OrderCompleted")
    assert [e.detail["fault"] for e in entries if e.kind == "fault"] == ["drop"]
    assert not [e for e in entries if e.kind == "deliver" and e.message_id == completed.message_id]
    assert unanswered(ch08_runs["choreography"], "OrderCompleted", "ConfirmationSent") == []
