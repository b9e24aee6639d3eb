"""Stranded reservations: none after clean rollbacks, one per held service when an orchestrator forgets."""

from playground.analysis.reservations import stranded_reservations
from playground.runtime.faults import FaultPlan
from playground.scenarios import travel_booking


def test_completed_and_compensated_trips_leave_nothing_held():
    for fail in ({}, {"hotel": "always"}, {"car": 0.5}):
        assert stranded_reservations(travel_booking(trips=10, seed=2, fail=fail).run()) == []


def test_trips_an_orchestrator_forgot_keep_their_reservations(tmp_path):
    plan = FaultPlan(crashes={"orchestrator": [(3.0, 6.0)]})
    forgot = travel_booking(trips=20, seed=2, rate=4.0, faults=plan).run()
    found = stranded_reservations(forgot)
    lost = {t for t, outcome in forgot.outcomes.items() if outcome != "completed"}
    assert found and {v.correlation_id for v in found} == lost
    services = {"flights": forgot.services["flights"], "hotels": forgot.services["hotels"],
                "cars": forgot.services["cars"]}
    still = {(name, trip) for name, service in services.items() for trip in service.held() if trip in lost}
    assert {(v.message.split(" still holds")[0].split()[-1], v.correlation_id) for v in found} == still
    assert all(forgot.trace.entries[v.evidence[0]].detail["effect"] == "reserve" for v in found)
    durable = travel_booking(trips=20, seed=2, rate=4.0, faults=plan, store=tmp_path / "trips.db").run()
    assert stranded_reservations(durable) == []


def test_a_refusal_while_an_unfinished_trip_holds_the_room_it_gives_back_is_found_and_the_lock_removes_it():
    from playground.analysis.reservations import refused_for_unfinished
    from playground.orchestration.saga import Approval

    night = {"trips": 20, "seed": 4, "rate": 1 / 100, "approval": Approval("manager", timeout=300, escalation=600),
             "approve": 0.8, "rooms": 6}
    plain = travel_booking(**night).run()
    found = refused_for_unfinished(plain)
    refused = {e.correlation_id for e in plain.trace.where(kind="send", type="HotelUnavailable")}
    assert found and {v.correlation_id for v in found} <= refused
    assert all("gave back at" in v.message for v in found)
    locked = travel_booking(**night, semantic_lock=True).run()
    assert refused_for_unfinished(locked) == [] and locked.trace.where(kind="redeliver", at="hotels")
    assert locked.counts()["completed"] > plain.counts()["completed"]
    assert stranded_reservations(locked) == []
    assert refused_for_unfinished(travel_booking(trips=10, seed=2).run()) == []  # an unlimited hotel refuses nobody
