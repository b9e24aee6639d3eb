"""Timeouts fire at exact simulated times; a reply after its step was given up is never applied silently."""

from playground.analysis.invariants import check
from playground.orchestration.saga import Approval, Retry
from playground.scenarios import travel_booking
from playground.scenarios.travel import travel_saga

SLOW_HOTEL = {"hotels": 10.0}


def one(result, **match):
    (entry,) = result.trace.where(**match)
    return entry


def forward_timeouts(result, trip):
    return [e for e in result.trace.where(kind="timeout", correlation_id=trip) if not e.detail.get("undo")]


def test_a_timeout_fires_exactly_its_timeout_after_the_command_was_sent():
    result = travel_booking(trips=6, seed=1, rate=0.02, timeout=4.0, latency=SLOW_HOTEL).run()
    for trip in result.outcomes:
        sent = one(result, kind="send", type="ReserveHotel", correlation_id=trip)
        (timeout,) = forward_timeouts(result, trip)
        assert timeout.time == sent.time + 4.0
        assert timeout.detail == {"instance": trip, "step": "hotel", "after": 4.0}
        assert (timeout.type, timeout.message_id) == ("ReserveHotel", sent.message_id)
        undo = one(result, kind="compensate", correlation_id=trip, type="CancelFlight")
        assert undo.time == timeout.time  # the rollback starts at once


def test_a_late_reply_is_undone_when_the_step_says_compensate():
    result = travel_booking(trips=6, seed=1, rate=0.02, timeout=4.0, latency=SLOW_HOTEL).run()
    assert result.counts() == {"compensated": 6}
    for trip in result.outcomes:
        reply = one(result, kind="send", type="HotelReserved", correlation_id=trip)
        late = [e for e in result.trace.where(kind="step", correlation_id=trip) if e.detail.get("late")]
        assert [(e.detail["step"], e.detail["outcome"], e.time) for e in late] == [("hotel", "done", reply.time)]
        undo = one(result, kind="compensate", correlation_id=trip, type="CancelHotel")
        assert undo.time == reply.time
    assert result.services["hotels"].held() == [] and result.services["flights"].held() == []
    # The slow hotel is slow to cancel too, so its undo times out and is retried; the second
    # answer is parked as a repeat. The late reservation itself was handled, not parked.
    assert {d.envelope.type for d in result.dead_letters} == {"HotelCancelled"}
    assert all(e.detail.get("undo") for e in result.trace.where(kind="retry"))


def test_a_late_reply_is_parked_with_its_reason_when_the_step_says_ignore():
    result = travel_booking(trips=6, seed=1, rate=0.02, saga=travel_saga(timeout=4.0, on_late="ignore"),
                            latency=SLOW_HOTEL).run()
    assert result.counts() == {"compensated": 6}
    assert sorted(result.services["hotels"].held()) == sorted(result.outcomes)  # the effect stands
    assert not result.trace.where(kind="compensate", type="CancelHotel")
    assert [d.envelope.type for d in result.dead_letters] == ["HotelReserved"] * 6
    assert all("ignores late replies" in d.reason and d.at == "orchestrator" for d in result.dead_letters)
    parked = result.trace.where(kind="dead_letter", type="HotelReserved")
    assert len(parked) == 6
    assert not any(e.detail.get("late") for e in result.trace.where(kind="step"))


def test_retries_after_a_timeout_wait_their_backoff_and_the_first_reply_wins():
    result = travel_booking(trips=1, seed=1, timeout=4.0, retry=Retry(count=2, backoff=1.0, factor=2.0),
                            latency=SLOW_HOTEL).run()
    assert result.counts() == {"completed": 1}
    sends = [e.time for e in result.trace.where(kind="send", type="ReserveHotel")]
    timeouts = [e.time for e in forward_timeouts(result, "trip-0001")]
    assert timeouts == [sends[0] + 4.0, sends[1] + 4.0]
    assert sends[1] == timeouts[0] + 1.0
    assert [e.detail["attempt"] for e in result.trace.where(kind="retry")] == [2]
    reply = result.trace.where(kind="send", type="HotelReserved")[0]
    assert reply.causation_id == result.trace.where(kind="send", type="ReserveHotel")[0].message_id
    assert reply.time < timeouts[1] + 2.0  # it landed during the backoff, so no third attempt
    assert len(sends) == 2
    assert len([e for e in result.trace.where(kind="effect", at="hotels")]) == 1  # one reservation, two asks
    assert not any(check(result).values())


def test_an_approval_nobody_gives_escalates_then_expires_at_exact_times():
    result = travel_booking(trips=2, seed=5, rate=0.01, approval=Approval("manager", timeout=60, escalation=30),
                            latency={"approvers": 100.0}).run()
    assert result.counts() == {"compensated": 2}
    for trip in result.outcomes:
        asked = one(result, kind="send", type="ApprovalRequested", correlation_id=trip)
        escalated = one(result, kind="send", type="ApprovalEscalated", correlation_id=trip)
        timeouts = result.trace.where(kind="timeout", correlation_id=trip)
        assert [(e.time, e.detail["after"]) for e in timeouts] == [(asked.time + 60, 60), (asked.time + 60 + 30, 30)]
        assert escalated.time == asked.time + 60
        states = [e.detail["to"] for e in result.trace.where(kind="state", at="orchestrator", correlation_id=trip)]
        assert states == ["flight", "hotel", "car", "manager", "manager_escalated", "compensating", "compensated"]
    late = [d for d in result.dead_letters if d.envelope.type == "DecideApproval"]
    assert len(late) == 2 and all("given up" in d.reason for d in late)


def test_an_approval_given_after_escalation_still_completes_the_trip():
    result = travel_booking(trips=1, seed=5, approval=Approval("manager", timeout=60, escalation=30),
                            latency={"approvers": 70.0}).run()
    assert result.counts() == {"completed": 1}
    assert len(result.trace.where(kind="send", type="ApprovalEscalated")) == 1
    decided = one(result, kind="step", correlation_id="trip-0001", type="DecideApproval")
    assert decided.detail["outcome"] == "done"


def test_a_rejected_approval_rolls_the_trip_back():
    result = travel_booking(trips=4, seed=5, approval=Approval("manager", timeout=600), approve=0.0,
                            latency={"approvers": 5.0}).run()
    assert result.counts() == {"compensated": 4}
    rows = result.extras["orchestrator"].table().rows
    assert {r["reason"] for r in rows} == {"step 'manager': the approval was rejected"}
    assert not any(check(result).values())
