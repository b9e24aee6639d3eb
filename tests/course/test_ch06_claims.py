"""Chapter 06's claims (when to yank the orchestration string), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

from playground.analysis.invariants import check
from playground.runtime.faults import FaultPlan


def _broken(result):
    from playground.analysis.invariants import check

    return {name: len(found) for name, found in check(result).items() if found}


def test_ch06_a_saga_undoes_newest_first_and_gives_up_on_a_failed_cancellation_unless_it_retries():
    from playground.orchestration import Retry, dashboard
    from playground.scenarios import travel_booking
    from playground.scenarios.travel import travel_saga

    trips = travel_booking(trips=100, seed=3, fail={"car": 0.2}).run()
    undone = next(t for t, o in trips.outcomes.items() if o == "compensated")
    assert [e.detail["step"] for e in trips.trace.where(kind="compensate", correlation_id=undone)] == ["hotel", "flight"]
    assert _broken(trips) == {}
    give_up = travel_booking(trips=100, seed=3, fail={"car": 0.2}, fail_cancel={"hotel": 0.5},
                             saga=travel_saga(compensation_retry=Retry(count=0))).run()
    stuck = give_up.counts()["stuck"]
    assert stuck > 0 and _broken(give_up) == {"compensations-mirror-forward-steps": stuck}
    assert len(dashboard(give_up).where(state="stuck")) == stuck
    patient = travel_booking(trips=100, seed=3, fail={"car": 0.2}, fail_cancel={"hotel": 0.5}).run()
    assert "stuck" not in patient.counts() and _broken(patient) == {}
    assert len(patient.trace.where(kind="retry")) > 0


def test_ch06_silence_cancels_trips_whose_managers_answer_late_and_escalation_completes_every_trip():
    from playground.scenarios.approval_desk import approval_desk, who_decided

    silent = approval_desk(trips=80, seed=4, escalation=None).run()
    cancelled = silent.counts()["compensated"]
    assert cancelled > 0 and who_decided(silent)["nobody in time"] == cancelled
    assert len(silent.dead_letters) == cancelled  # every late "yes" parked with its reason
    assert all("after the approval was given up" in d.reason for d in silent.dead_letters)
    escalated = approval_desk(trips=80, seed=4, escalation=600).run()
    assert escalated.counts() == {"completed": 80} and who_decided(escalated)["a senior"] > 0
    assert who_decided(escalated)["the manager, in time"] == who_decided(silent)["the manager, in time"]


def test_ch06_a_busy_erp_cancels_orders_unless_the_saga_retries_and_the_migration_ends_the_retries():
    from playground.analysis.coupling import compare, footprint
    from playground.analysis.metrics import latency_percentiles
    from playground.scenarios.strangler import legacy_migration

    impatient = legacy_migration(orders=200, seed=3, retry=None).run()
    assert impatient.counts()["cancelled"] > 0
    runs = [legacy_migration(orders=200, seed=3, migrated=share).run() for share in (0.0, 0.5, 1.0)]
    retries = [len(r.trace.where(kind="retry")) for r in runs]
    assert all(r.counts() == {"completed": 200} and _broken(r) == {} for r in runs)
    assert retries[0] > retries[1] > retries[2] == 0
    assert latency_percentiles(runs[2], (50,))[50] < latency_percentiles(runs[0], (50,))[50]
    change = compare(footprint(legacy_migration()), footprint(legacy_migration(migrated=1.0)), requested_by="invoices")
    assert change.keys() == ["service invoices"] and change.foreign_owners() == []


def test_ch06_every_follow_up_step_grows_the_god_orchestrator_and_splitting_shrinks_it_back():
    from playground.analysis.scope import load, saga_size
    from playground.scenarios.god_orchestrator import growing_orchestrator

    growth = [(), ("confirm",), ("confirm", "push"), ("confirm", "push", "report")]
    sizes, traffic = [], []
    for extras in growth:
        scenario = growing_orchestrator(orders=200, seed=2, extras=extras)
        sizes.append(saga_size(*scenario.definitions()["sagas"]))
        traffic.append(load(scenario.run()).per_transaction)
    for attr in ("steps", "states", "transitions", "services"):
        values = [getattr(s, attr) for s in sizes]
        assert values == sorted(set(values)), attr  # strictly growing
    assert traffic == sorted(set(traffic))
    split = growing_orchestrator(orders=200, seed=2, extras=growth[-1], split=True)
    assert saga_size(*split.definitions()["sagas"]) == sizes[0]
    assert load(split.run()).per_transaction == traffic[0]


def test_ch06_a_push_outage_holds_god_instances_open_but_no_split_ones():
    from playground.analysis.coupling import compare, footprint
    from playground.analysis.scope import held_at, open_at
    from playground.scenarios.god_orchestrator import growing_orchestrator

    everything, plan = ("confirm", "push", "report"), FaultPlan(outages={"push": [(100, 200)]})
    god = growing_orchestrator(orders=300, seed=2, extras=everything, faults=plan).run()
    split = growing_orchestrator(orders=300, seed=2, extras=everything, split=True, faults=plan).run()
    assert god.counts() == split.counts() == {"completed": 300}
    assert open_at(god, 199.9) > 50 and open_at(split, 199.9) == 0
    oldest = held_at(god, 199.9)[0]
    done = god.trace.where(kind="send", type="OrderCompleted", correlation_id=oldest)[0].time
    started = god.trace.where(kind="send", type="PlaceOrder", correlation_id=oldest)[0].time
    assert done - started < 2 and started < 101  # completed at once, then held for the rest of the outage
    for split_it, foreign in ((False, ["orchestrator"]), (True, [])):
        change = compare(footprint(growing_orchestrator(extras=("confirm", "report"), split=split_it)),
                         footprint(growing_orchestrator(extras=everything, split=split_it)), requested_by="push")
        assert change.foreign_owners() == foreign


def test_ch06_your_turn_answer_five_extra_tries_is_the_smallest_count_that_leaves_no_trip_stuck():
    from playground.orchestration.saga import Retry
    from playground.scenarios.travel import travel_booking, travel_saga

    stuck = [travel_booking(trips=100, seed=3, fail={"car": 0.2}, fail_cancel={"hotel": 0.5},
                            saga=travel_saga(compensation_retry=Retry(count=n))).run().counts()["stuck"]
             for n in range(6)]
    assert stuck == [7, 4, 2, 1, 1, 0]


def test_ch06_a_decision_took_up_to_about_five_minutes_and_every_trip_waited_at_the_manager_step():
    from playground.scenarios.approval_desk import approval_desk

    escalated = approval_desk(trips=80, seed=4, escalation=600).run()
    asked = {e.correlation_id: e.time for e in escalated.trace.where(kind="send", type="ApprovalRequested")}
    decided = {e.correlation_id: e.time for e in escalated.trace.where(kind="step", at="orchestrator")
               if e.detail.get("step") == "manager" and e.detail.get("outcome") == "done"}
    waits = sorted(decided[t] - asked[t] for t in decided)
    assert len(waits) == 80 and 240 < waits[-1] < 360


def test_ch06_exercise_answers_always_failing_cancellations_stricter_seniors_a_busier_erp_and_the_split():
    from playground.analysis.coupling import compare, footprint
    from playground.analysis.metrics import latency_percentiles
    from playground.orchestration import dashboard
    from playground.scenarios.approval_desk import ApprovalDesk, who_decided
    from playground.scenarios.god_orchestrator import growing_orchestrator
    from playground.scenarios.strangler import legacy_migration
    from playground.scenarios.travel import travel_booking
    from playground.services.escalation import Seniors

    always = travel_booking(trips=100, seed=3, fail={"car": 0.2}, fail_cancel={"hotel": "always"}).run()
    assert always.counts() == {"completed": 84, "stuck": 16} and len(always.trace.where(kind="retry")) == 80
    assert {r["reason"] for r in dashboard(always).where(state="stuck").rows} == {
        "could not undo step 'hotel': HotelCancellationFailed"}

    class StrictDesk(ApprovalDesk):
        def build_services(self, randomness):
            services = super().build_services(randomness)
            old = services["seniors"]
            services["seniors"] = Seniors(approve=2 / 3, latency=old.latency, rng=old.rng)
            return services

    strict = StrictDesk(trips=80, seed=4, escalation=600).run()
    assert strict.counts() == {"completed": 68, "compensated": 12}
    assert dict(who_decided(strict)) == {"the manager, in time": 57, "a senior": 21, "the manager, late": 2}
    assert all(not found for found in check(strict).values())

    runs = {busy: legacy_migration(orders=200, seed=3, busy=busy).run() for busy in (0.4, 0.5, 0.6)}
    assert runs[0.4].counts() == {"completed": 200} and len(runs[0.4].trace.where(kind="retry")) == 122
    assert runs[0.5].counts()["cancelled"] == 5
    assert runs[0.6].counts()["cancelled"] == 12 and len(runs[0.6].trace.where(kind="retry")) == 293
    assert latency_percentiles(runs[0.6], (99,))[99] == pytest.approx(86.8, abs=0.05)

    everything = ("confirm", "push", "report")
    split = compare(footprint(growing_orchestrator(extras=everything)),
                    footprint(growing_orchestrator(extras=everything, split=True)), requested_by="orchestrator")
    assert split.owners() == ["email", "orchestrator", "push", "reports"] and len(split.touches) == 7
    assert sorted(t.definition.name for t in split.touches if t.how == "removed") == [
        "ConfirmationSent", "PushSent", "SaleRecorded"]
