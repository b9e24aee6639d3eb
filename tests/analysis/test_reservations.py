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
