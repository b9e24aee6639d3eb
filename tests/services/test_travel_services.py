import random

import pytest

from playground.errors import ScenarioError
from playground.services import Approvers, Cars, Flights, Hotels


def types(emitted):
    return [e.type for e in emitted]


def reserve(service, trip="trip-1"):
    return service.handle(f"Reserve{service.thing}", {"trip_id": trip, "traveller": "a traveller"})


def cancel(service, trip="trip-1"):
    return service.handle(f"Cancel{service.thing}", {"trip_id": trip})


def effects(service):
    return [(n.detail["effect"], n.detail["key"]) for n in service.take_notes() if n.kind == "effect"]


@pytest.mark.parametrize("cls", [Flights, Hotels, Cars])
def test_a_repeated_reservation_answers_the_same_and_holds_once(cls):
    service = cls()
    first, second = reserve(service), reserve(service)
    assert first == second and types(first) == [f"{cls.thing}Reserved"]
    assert effects(service) == [("reserve", "trip-1")]
    assert service.held() == ["trip-1"]


def test_a_repeated_cancellation_releases_once():
    hotels = Hotels()
    reserve(hotels)
    assert types(cancel(hotels)) == types(cancel(hotels)) == ["HotelCancelled"]
    assert effects(hotels) == [("reserve", "trip-1"), ("release", "trip-1")]
    assert hotels.held() == []


def test_a_cancellation_before_its_reservation_leaves_a_tombstone():
    cars = Cars()
    assert types(cancel(cars)) == ["CarCancelled"]
    refused = reserve(cars)
    assert types(refused) == ["CarUnavailable"]
    assert "cancelled before" in refused[0].payload["reason"]
    assert effects(cars) == [] and cars.held() == []


def test_forced_failures_by_count_and_by_share():
    flights = Flights(fail="twice")
    assert [types(reserve(flights))[0] for _ in range(3)] == ["FlightUnavailable", "FlightUnavailable", "FlightReserved"]
    always = Flights(fail="always")
    assert all(types(reserve(always, f"t{i}")) == ["FlightUnavailable"] for i in range(20))
    some = Flights(fail=0.5, rng=random.Random(3))
    outcomes = [types(reserve(some, f"t{i}"))[0] for i in range(200)]
    assert 70 < outcomes.count("FlightUnavailable") < 130


def test_a_cancellation_can_be_made_to_fail_and_then_work():
    hotels = Hotels(fail_cancel="once")
    reserve(hotels)
    assert types(cancel(hotels)) == ["HotelCancellationFailed"]
    assert hotels.held() == ["trip-1"]
    assert types(cancel(hotels)) == ["HotelCancelled"]
    assert hotels.held() == []


@pytest.mark.parametrize("bad", ["sometimes", -1, 1.5, True])
def test_a_bad_failure_setting_gets_one_sentence(bad):
    with pytest.raises(ScenarioError, match="must be 'never', 'always', 'once', 'twice'"):
        Hotels(fail=bad)


def test_approvers_approve_their_share():
    people = Approvers(approve=0.25, rng=random.Random(1))
    decisions = [people.handle("ReviewRequest", {"instance": f"t{i}", "step": "manager"})[0].payload["approved"]
                 for i in range(400)]
    assert 70 < decisions.count(True) < 130
    with pytest.raises(ScenarioError, match="approve must be a fraction"):
        Approvers(approve=2)


def test_a_full_hotel_refuses_and_a_locked_one_makes_a_request_wait_while_a_room_is_pending():
    from playground.services.base import NotYet

    plain = Hotels(capacity=1)
    assert types(reserve(plain, "trip-1")) == ["HotelReserved"]
    (refusal,) = reserve(plain, "trip-2")
    assert refusal.type == "HotelUnavailable" and refusal.payload["reason"] == "every hotel is taken"
    locked = Hotels(capacity=1, lock=True)
    reserve(locked, "trip-1")
    with pytest.raises(NotYet, match="1 of them by trips still being booked"):
        reserve(locked, "trip-2")
    assert types(locked.handle("ConfirmHotel", {"trip_id": "trip-1"})) == ["HotelConfirmed"]
    assert types(reserve(locked, "trip-2")) == ["HotelUnavailable"]  # a confirmed room is a real refusal
    freed = Hotels(capacity=1, lock=True)
    reserve(freed, "trip-1")
    cancel(freed, "trip-1")
    assert types(reserve(freed, "trip-2")) == ["HotelReserved"]


def test_capacity_must_be_a_whole_number_of_at_least_one():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ScenarioError, match="capacity for hotels must be a whole number"):
            Hotels(capacity=bad)
