"""Chapter 04's claims (the orchestrator's playbook), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

from playground.runtime.faults import FaultPlan

CH04 = {"trips": 20, "seed": 4}


def test_ch04_five_broken_definitions_are_each_refused_in_one_sentence():
    from playground.errors import SagaDefinitionError
    from playground.orchestration import SagaDefinition, Step

    broken = [[Step("flight", "ReserveFlight", "CancelFlight"), Step("flight", "ReserveHotel", "CancelHotel")],
              [Step("flight", "ReserveFlight", "CancelFlight"), Step("hotel", "ReserveHotel")],
              [Step("hotel", "ReserveHotl", "CancelHotel")],
              [Step("flight", "ReserveFlight", "CancelHotel")],
              [Step("completed", "ReserveFlight", "CancelFlight")]]
    for stages in broken:
        with pytest.raises(SagaDefinitionError) as refused:
            SagaDefinition("trip", stages, started_by="BookTrip")
        message = str(refused.value)
        assert message.replace("e.g. ", "").count(". ") == 0 and message.endswith(".") and "\n" not in message


def test_ch04_each_failing_step_undoes_exactly_the_completed_ones_newest_first():
    from playground.analysis.invariants import compensations_mirror_forward_steps
    from playground.scenarios import travel_booking

    assert travel_booking(**CH04).run().counts() == {"completed": 20}
    expected = {"flight": [], "hotel": ["flight"], "car": ["hotel", "flight"]}
    for step, undone in expected.items():
        failed = travel_booking(**CH04, fail={step: "always"}).run()
        assert failed.counts() == {"compensated": 20}
        for trip in failed.outcomes:
            assert [e.detail["step"] for e in failed.trace.where(kind="compensate", correlation_id=trip)] == undone
        assert compensations_mirror_forward_steps(failed) == []


def test_ch04_one_transient_hotel_failure_rolls_back_every_trip_and_a_retry_after_1s_saves_them():
    from playground.analysis.invariants import effects_at_most_once
    from playground.orchestration import Retry
    from playground.scenarios import travel_booking

    assert travel_booking(**CH04, fail={"hotel": "once"}).run().counts() == {"compensated": 20}
    patient = travel_booking(**CH04, fail={"hotel": "once"}, retry=Retry(count=2, backoff=1.0)).run()
    assert patient.counts() == {"completed": 20} and effects_at_most_once(patient) == []
    for trip in patient.outcomes:
        failed = next(e for e in patient.trace.where(kind="send", type="HotelUnavailable", correlation_id=trip))
        (retry,) = patient.trace.where(kind="retry", correlation_id=trip)
        assert retry.time == pytest.approx(failed.time + 1.0) and retry.detail["attempt"] == 2


def test_ch04_a_03s_timeout_rolls_back_almost_every_trip_at_exact_times_and_late_replies_are_undone():
    from playground.analysis.reservations import stranded_reservations
    from playground.scenarios import travel_booking

    hasty = travel_booking(**CH04, timeout=0.3).run()
    assert hasty.counts()["compensated"] >= 18
    sent = {e.message_id: e.time for e in hasty.trace.where(kind="send")}
    timeouts = hasty.trace.where(kind="timeout")
    assert timeouts and all(e.time == pytest.approx(sent[e.message_id] + 0.3) for e in timeouts)
    story = [e.kind for e in hasty.trace.where(correlation_id="trip-0001") if e.kind in ("timeout", "compensate")]
    assert story[:2] == ["timeout", "compensate"]
    late = [e for e in hasty.trace.where(kind="step") if e.detail.get("late")]
    assert late and all(hasty.trace.where(kind="compensate", correlation_id=e.correlation_id) for e in late)
    assert stranded_reservations(hasty) == []


def test_ch04_ignoring_late_replies_strands_reservations_and_retries_complete_every_trip():
    from playground.analysis.reservations import stranded_reservations
    from playground.orchestration import Retry
    from playground.scenarios import travel_booking
    from playground.scenarios.travel import travel_saga

    careless = travel_booking(**CH04, saga=travel_saga(timeout=0.3, on_late="ignore")).run()
    assert stranded_reservations(careless) and all("ignores late replies" in d.reason for d in careless.dead_letters)
    steady = travel_booking(**CH04, timeout=0.3, retry=Retry(count=3, backoff=0.5)).run()
    assert steady.counts() == {"completed": 20} and stranded_reservations(steady) == []
    assert steady.trace.where(kind="timeout")


def test_ch04_at_1000s_one_trip_waits_escalated_and_every_rollback_names_its_reason():
    from playground.orchestration import Approval, dashboard
    from playground.scenarios import travel_booking

    approved = travel_booking(**{**CH04, "trips": 10}, rate=1 / 200, approve=0.8, watch=[1000],
                              approval=Approval("manager", timeout=300, escalation=600)).run()
    midway = approved.extras["snapshots"][1000]
    escalated = midway.where(state="manager_escalated")
    assert len(escalated) == 1 and next(iter(escalated))["attempt"] == 2
    assert approved.trace.where(kind="send", type="ApprovalEscalated")
    undone = dashboard(approved).where(state="compensated")
    assert len(undone) > 0 and all(row["reason"] == "step 'manager': the approval was rejected" for row in undone)
    assert set(approved.counts()) == {"completed", "compensated"}


def test_ch04_crashes_with_memory_lose_trips_and_strand_reservations_sqlite_loses_nothing(tmp_path):
    from playground.analysis.invariants import check
    from playground.analysis.reservations import stranded_reservations
    from playground.orchestration import dashboard
    from playground.orchestration.host import crash_windows
    from playground.scenarios import travel_booking

    crashes = FaultPlan(crashes={"orchestrator": crash_windows(4, 3, within=(10, 50), downtime=5.0)})
    params = {"trips": 60, "seed": 4, "fail": {"car": 0.3}, "faults": crashes}
    forgetful = travel_booking(**params).run()
    durable = travel_booking(**params, store=tmp_path / "trips.db").run()
    lost = {t for t, outcome in forgetful.outcomes.items() if outcome not in ("completed", "compensated")}
    assert lost and {v.correlation_id for v in stranded_reservations(forgetful)} <= lost
    assert len(stranded_reservations(forgetful)) > len(lost)  # several services hold something for one trip
    assert len(dashboard(forgetful)) < 60 - len(lost)
    phases = [e.detail for e in forgetful.trace.where(kind="fault", at="orchestrator")]
    assert [d["instances"] for d in phases if d["phase"] == "resumed"] == [0, 0, 0]
    # SQLite: 0 lost, 0 steps done twice, 0 compensations missing, nothing stranded, the dashboard knows all
    assert set(durable.counts()) == {"completed", "compensated"} and sum(durable.counts().values()) == 60
    found = check(durable, "one-terminal-state", "effects-at-most-once", "compensations-mirror-forward-steps")
    assert found == {name: [] for name in found}
    assert stranded_reservations(durable) == [] and len(dashboard(durable)) == 60
    resumed = [d["instances"] for d in (e.detail for e in durable.trace.where(kind="fault", at="orchestrator"))
               if d["phase"] == "resumed"]
    assert all(n > 0 for n in resumed)
    assert [e for e in durable.trace.where(kind="retry") if e.detail.get("why") == "resumed after a crash"]
    assert all("repeats a reply" in d.reason for d in durable.dead_letters)
    # the plateaus: no trip ends while the orchestrator is down
    ends = [e.time for e in durable.trace.where(kind="send", at="orchestrator")
            if e.type in ("SagaCompleted", "SagaCompensated")]
    assert not [t for t in ends for start, stop in crashes.crashes["orchestrator"] if start < t < stop]


def test_ch04_the_undo_timed_out_waiting_behind_other_reservations_and_its_reply_came_in_the_backoff():
    from playground.scenarios import travel_booking

    hasty = travel_booking(**CH04, timeout=0.3).run()
    cancel = next(iter(hasty.trace.where(kind="send", type="CancelFlight", correlation_id="trip-0001")))
    (timed_out,) = [e for e in hasty.trace.where(kind="timeout", correlation_id="trip-0001") if e.detail.get("undo")]
    started = next(e for e in hasty.trace.where(kind="start", at="flights") if e.message_id == cancel.message_id)
    ahead = [e.correlation_id for e in hasty.trace.where(kind="start", at="flights", type="ReserveFlight")
             if cancel.time <= e.time < started.time]
    answered = next(iter(hasty.trace.where(kind="send", type="FlightCancelled", correlation_id="trip-0001")))
    backoff = hasty.extras["saga"].compensation_retry.backoff
    assert ahead == ["trip-0002", "trip-0003"] and started.time > timed_out.time
    assert timed_out.time < answered.time < timed_out.time + backoff
    assert len(hasty.trace.where(kind="send", type="CancelFlight", correlation_id="trip-0001")) == 1  # not re-sent


def test_ch04_with_retries_21_of_22_timed_out_reservations_were_answered_during_the_backoff():
    from playground.orchestration import Retry
    from playground.scenarios import travel_booking

    steady = travel_booking(**CH04, timeout=0.3, retry=Retry(count=3, backoff=0.5)).run()
    assert (len(steady.trace.where(kind="timeout")), len(steady.trace.where(kind="retry"))) == (22, 1)


def test_ch04_two_refusals_need_retry_count_2():
    from playground.analysis.invariants import effects_at_most_once
    from playground.orchestration import Retry
    from playground.scenarios import travel_booking

    once = travel_booking(**CH04, fail={"hotel": "twice"}, retry=Retry(count=1, backoff=1.0)).run()
    twice = travel_booking(**CH04, fail={"hotel": "twice"}, retry=Retry(count=2, backoff=1.0)).run()
    assert once.counts() == {"compensated": 20}
    assert twice.counts() == {"completed": 20} and len(twice.trace.where(kind="retry")) == 40
    assert effects_at_most_once(twice) == []


def test_ch04_without_isolation_9_trips_are_refused_rooms_that_come_back_and_a_semantic_lock_fixes_it():
    from playground.analysis.compare import side_by_side
    from playground.analysis.reservations import refused_for_unfinished, stranded_reservations
    from playground.orchestration import Approval
    from playground.orchestration.structure import saga_structure
    from playground.scenarios import travel_booking

    night = {**CH04, "rate": 1 / 100, "approval": Approval("manager", timeout=300, escalation=600), "approve": 0.8,
             "rooms": 6}
    plain, locked = travel_booking(**night).run(), travel_booking(**night, semantic_lock=True).run()
    refused = plain.trace.where(kind="send", type="HotelUnavailable")
    assert len(refused) == len(refused_for_unfinished(plain)) == 9
    assert plain.counts()["completed"] == 5 and locked.counts()["completed"] == 6
    assert refused_for_unfinished(locked) == [] and stranded_reservations(locked) == []
    shape = saga_structure(locked.extras["saga"])
    assert (shape.pivot, shape.after, shape.problems) == ("manager", ["confirm"], [])
    table = side_by_side({"no lock": plain, "lock": locked})
    assert table.value("99th percentile latency (s)", "lock") > 2 * table.value("99th percentile latency (s)", "no lock")
    assert locked.trace.where(kind="redeliver", at="hotels")


def test_ch04_exercise_answers_hold(tmp_path):
    from playground.analysis.invariants import check, compensations_mirror_forward_steps
    from playground.analysis.reservations import stranded_reservations
    from playground.orchestration import Approval, SagaDefinition, Step, dashboard
    from playground.orchestration.host import crash_windows
    from playground.runtime.latency import Uniform
    from playground.scenarios import travel_booking

    saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", timeout=0.3),
                                   Step("hotel", "ReserveHotel", "CancelHotel"), Step("car", "ReserveCar", "CancelCar")],
                          started_by="BookTrip")
    flight_only = travel_booking(**CH04, saga=saga).run()
    late = [e for e in flight_only.trace.where(kind="step") if e.detail.get("late")]
    assert flight_only.counts()["compensated"] == len(late) == 19 and stranded_reservations(flight_only) == []
    together = travel_booking(**CH04, parallel=True, fail={"car": "always"}).run()
    assert [e.detail["step"] for e in together.trace.where(kind="compensate", correlation_id="trip-0001")] == [
        "hotel", "flight"]
    assert compensations_mirror_forward_steps(together) == []
    slow = travel_booking(trips=10, seed=4, rate=1 / 200, approval=Approval("manager", timeout=300, escalation=600),
                          approve=0.8, latency={"approvers": Uniform(300, 900)}).run()
    reasons = [row["reason"] for row in dashboard(slow).where(state="compensated")]
    assert len(reasons) == 10 and sum("rejected" in r for r in reasons) == 2
    crashes = FaultPlan(crashes={"orchestrator": crash_windows(4, 3, within=(10, 50), downtime=5.0)})
    cancel_fails = travel_booking(trips=60, seed=4, fail={"car": 0.3}, fail_cancel={"flight": "once"}, faults=crashes,
                                  store=tmp_path / "trips.db").run()
    found = check(cancel_fails, "one-terminal-state", "effects-at-most-once", "compensations-mirror-forward-steps")
    assert found == {name: [] for name in found} and stranded_reservations(cancel_fails) == []
    assert len(cancel_fails.trace.where(kind="send", type="FlightCancellationFailed")) == 16
