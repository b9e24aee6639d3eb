"""Chapter 08's claims (resilience through decoupling), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import json
from pathlib import Path

import pytest

from playground.analysis.invariants import check
from playground.runtime.fault_rules import FailCalls
from playground.runtime.faults import FaultPlan

CH08_DOWN = (60, 180)
CH08 = Path(__file__).resolve().parents[2] / "course" / "08_resilience_through_decoupling.ipynb"
#: Payments dies after charging and before acknowledging, on about one charge in ten (the chapter's DIES).
CH08_DIES = [FailCalls("payments", command="ChargePayment", after_work=True, fraction=0.1)]


@pytest.fixture(scope="module")
def ch08_runs():
    from playground.runtime.faults import Drop
    from playground.scenarios.confirmation import confirmation_flow
    from playground.scenarios.god_orchestrator import growing_orchestrator
    from playground.scenarios.order_flow import order_flow

    outage = FaultPlan(outages={"email": [CH08_DOWN]})
    lossy = FaultPlan(outages={"email": [CH08_DOWN]},
                      messages=[Drop(type="OrderCompleted", inbox="email", nth=100)])
    return {"choreography": confirmation_flow(orders=300, seed=8, faults=outage).run(),
            "orchestration": confirmation_flow(orders=300, seed=8, wiring="orchestration", faults=outage).run(),
            "complete first": order_flow(orders=300, seed=8, wiring="orchestration", faults=outage).run(),
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


def test_ch08_the_two_sagas_differ_only_in_where_the_confirmation_sits():
    from playground.flows.orders import ORDER_SAGA
    from playground.scenarios.confirmation import confirming_saga

    assert confirming_saga().stage_names[-2:] == ["confirm", "complete"]
    assert ORDER_SAGA.stage_names[-2:] == ["complete", "confirm"]
    assert sorted(confirming_saga().stage_names) == sorted(ORDER_SAGA.stage_names)


def test_ch08_with_chapter_00s_saga_orders_complete_during_the_outage_but_are_still_held_open(ch08_runs):
    from playground.analysis.metrics import latency_percentiles
    from playground.analysis.scope import open_at
    from playground.analysis.windows import finished_between

    chor, first = ch08_runs["choreography"], ch08_runs["complete first"]
    during = finished_between(chor, *CH08_DOWN, outcome="completed")
    assert first.counts() == {"completed": 300}
    assert finished_between(first, *CH08_DOWN, outcome="completed") == during  # the "0 completed" is the saga's order
    assert latency_percentiles(first, (50, 99)) == pytest.approx(latency_percentiles(chor, (50, 99)))
    # what every orchestration here pays: the instances wait at confirm, in the orchestrator
    assert open_at(first, CH08_DOWN[1] - 0.1) == open_at(ch08_runs["orchestration"], CH08_DOWN[1] - 0.1) == during
    assert open_at(chor, CH08_DOWN[1] - 0.1) == 0


def test_ch08_the_same_loss_in_the_orchestration_leaves_the_order_waiting_in_the_table(ch08_runs):
    from playground.analysis.reconcile import unanswered
    from playground.orchestration import dashboard
    from playground.runtime.fault_rules import Drop
    from playground.scenarios.confirmation import confirmation_flow

    plan = FaultPlan(outages={"email": [CH08_DOWN]}, messages=[Drop(type="SendConfirmation", inbox="email", nth=100)])
    run = confirmation_flow(orders=300, seed=8, wiring="orchestration", faults=plan).run()
    assert run.counts() == {"completed": 299, "unfinished": 1}
    (row,) = dashboard(run).where(state="confirm").rows
    assert [row["instance"]] == unanswered(ch08_runs["lost"], "OrderCompleted", "ConfirmationSent")
    assert row["waiting"] == "a reply"


def _durable_payments():
    """The DurablePayments class exactly as chapter 08 defines it."""
    from playground import emit, handles, Payments

    cells = json.loads(CH08.read_text(encoding="utf-8"))["cells"]
    (source,) = ["".join(c["source"]) for c in cells
                 if c["cell_type"] == "code" and "class DurablePayments" in "".join(c["source"])]
    namespace = {"emit": emit, "handles": handles, "Payments": Payments}
    exec(compile(source, str(CH08), "exec"), namespace)
    return namespace["DurablePayments"]


def _charged_twice(run):
    return {v.correlation_id for v in check(run, "effects-at-most-once")["effects-at-most-once"]}


def test_ch08_a_crash_that_forgets_charges_twice_and_the_ledger_in_the_same_transaction_holds(tmp_path):
    from playground.scenarios.new_version import new_version
    from playground.scenarios.order_flow import order_flow

    kind = order_flow(orders=200, seed=8, faults=FaultPlan(failures=CH08_DIES)).run()
    real = order_flow(orders=200, seed=8, faults=FaultPlan(failures=CH08_DIES, amnesia=["payments"])).run()
    restarts = [e for e in real.trace.where(kind="fault", at="payments") if e.detail["fault"] == "restart"]
    assert _charged_twice(kind) == set() and all(not found for found in check(kind).values())
    assert 0 < len(_charged_twice(real)) < len(restarts)  # not every restart costs a double charge
    assert len(check(real)["money-conserved"]) == len(_charged_twice(real))
    durable_payments = _durable_payments()
    durable_payments.ledger = tmp_path / "payments.sqlite"
    durable = new_version(durable_payments, orders=200, seed=8,
                          faults=FaultPlan(failures=CH08_DIES, amnesia=["payments"])).run()
    again = [e for e in durable.trace.where(kind="fault", at="payments") if e.detail["fault"] == "restart"]
    assert [e.time for e in again] == [e.time for e in restarts]  # the same crashes at the same moments
    assert all(not found for found in check(durable).values())
    # exercise 4's answer: the orchestrated wiring charges the same number twice
    orchestrated = order_flow(orders=200, seed=8, wiring="orchestration",
                              faults=FaultPlan(failures=CH08_DIES, amnesia=["payments"])).run()
    assert len(_charged_twice(orchestrated)) == len(_charged_twice(real))


def test_ch08_your_turn_answer_the_smallest_safe_deadline_is_the_outage():
    from playground.scenarios.confirmation import confirmation_flow

    outage = FaultPlan(outages={"email": [CH08_DOWN]})
    cancelled = {t: confirmation_flow(orders=300, seed=8, wiring="orchestration", email_timeout=t,
                                      faults=outage).run().counts()["cancelled"] for t in (115, 120)}
    assert cancelled == {115: 8, 120: 0}


def test_ch08_exercise_answers_a_long_outage_and_a_crash_window():
    from playground.analysis.metrics import latency_percentiles
    from playground.analysis.reconcile import unanswered
    from playground.analysis.scope import open_at
    from playground.scenarios.confirmation import confirmation_flow

    long = FaultPlan(outages={"email": [(60, 660)]})
    orch = confirmation_flow(orders=300, seed=8, wiring="orchestration", faults=long).run()
    assert open_at(orch, 659.9) == 249
    assert latency_percentiles(orch, (50, 99)) == pytest.approx({50: 460.6, 99: 598.0}, abs=0.5)
    chor = confirmation_flow(orders=300, seed=8, faults=long).run()
    assert latency_percentiles(chor, (50, 99)) == pytest.approx({50: 0.67, 99: 1.23}, abs=0.01)
    crashed = confirmation_flow(orders=300, seed=8, faults=FaultPlan(crashes={"email": [CH08_DOWN]})).run()
    emails = [e.correlation_id for e in crashed.trace.where(kind="effect", at="email")]
    assert len(emails) == len(set(emails)) == 300 and unanswered(crashed, "OrderCompleted", "ConfirmationSent") == []


def test_ch08_the_confirm_step_sits_after_the_pivot_where_a_deadline_should_not_start_a_rollback():
    from playground.orchestration.structure import saga_structure
    from playground.scenarios.confirmation import confirming_saga

    text = str(saga_structure(confirming_saga(email_timeout=30)))
    assert "pivot (no undo; once it succeeds the saga goes forward): settle" in text
    assert "'confirm' comes after the pivot 'settle'" in text
