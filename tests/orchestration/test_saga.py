import pytest

from playground.errors import PlaygroundError, SagaDefinitionError
from playground.orchestration.saga import Approval, Parallel, Retry, SagaDefinition, Step
from playground.runtime.clock import run_simulated
from playground.runtime.randomness import Randomness
from playground.services import Hotels
from playground.transport.bus import Bus
from playground.wiring.orchestration import orchestrate

FLIGHT = Step("flight", "ReserveFlight", "CancelFlight")
HOTEL = Step("hotel", "ReserveHotel", "CancelHotel")


@pytest.mark.parametrize("build, fragment", [
    (lambda: SagaDefinition("trip", [FLIGHT, Step("flight", "ReserveHotel", "CancelHotel")]),
     "two steps called 'flight'"),
    (lambda: SagaDefinition("trip", [FLIGHT, Step("hotel", "ReserveHotel")]),
     "Step 'hotel' of saga 'trip' has no compensation; give it one (e.g. compensation='CancelHotel')"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlite", "CancelFlight")]),
     "uses 'ReserveFlite' as its action, but the catalog declares no such message"),
    (lambda: SagaDefinition("trip", [Step("flight", "FlightReserved", "CancelFlight")]),
     "but that is an event; a step sends commands"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", service="airline")]),
     "names service 'airline', which no catalog entry belongs to"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", service="hotels")]),
     "asks 'hotels' to run 'ReserveFlight', but 'ReserveFlight' belongs to 'flights'"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelHotel")]),
     "which belongs to 'hotels'; compensate with a command of the same service"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", done="HotelReserved")]),
     "expects the reply 'HotelReserved' from 'flights', but 'HotelReserved' belongs to 'hotels'"),
    (lambda: SagaDefinition("trip", [Step("flight", "ReserveFlight", compensation_required=False, on_late="compensate")]),
     "says on_late='compensate' but has no compensation"),
    (lambda: SagaDefinition("trip", [FLIGHT], started_by="BookTrp"),
     "is started by 'BookTrp', which the catalog does not declare"),
    (lambda: SagaDefinition("trip", [FLIGHT], started_by="ReserveHotel"),
     "is started by the command 'ReserveHotel', which belongs to 'hotels'"),
    (lambda: SagaDefinition("trip", [FLIGHT], started_by="BookTrip", key="order_id"),
     "reads its instance id from field 'order_id', which 'BookTrip' does not have"),
    (lambda: SagaDefinition("order", [Step("ship", "ShipOrder", "CancelShipment")], started_by="UserCreated"),
     "sends 'ShipOrder', which needs field 'order_id' that neither 'UserCreated' nor an earlier step's reply provides"),
    (lambda: SagaDefinition("trip", [Step("completed", "ReserveFlight", "CancelFlight")]),
     "cannot have a step called 'completed'"),
    (lambda: SagaDefinition("trip", [FLIGHT, Approval("flight", timeout=5)]), "two steps called 'flight'"),
    (lambda: SagaDefinition("trip", [FLIGHT, Parallel(HOTEL, Step("flight_b", "ReserveCar", "CancelCar"), name="flight")]),
     "uses the name 'flight' for a step and a parallel group"),
    (lambda: SagaDefinition("trip", []), "has no steps"),
    (lambda: SagaDefinition("trip", ["ReserveFlight"]), "stages are Step, Parallel or Approval objects"),
    (lambda: Step("flight", "ReserveFlight", "CancelFlight", timeout=0), "must be a number greater than 0"),
    (lambda: Step("my flight", "ReserveFlight"), "must be a short identifier"),
    (lambda: Step("flight", "ReserveFlight", "CancelFlight", on_late="panic"), "must be 'ignore' or 'compensate'"),
    (lambda: Retry(count=-1), "Retry count must be a whole number"),
    (lambda: Retry(jitter=2), "Retry jitter must be a fraction"),
    (lambda: Approval("boss", timeout=-5), "must be a number greater than 0"),
    (lambda: Parallel(), "takes one or more Step(...) objects"),
])
def test_an_invalid_definition_is_refused_with_one_clear_sentence(build, fragment):
    with pytest.raises(SagaDefinitionError) as caught:
        build()
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and message.endswith(".")
    assert isinstance(caught.value, PlaygroundError)


def test_a_valid_definition_knows_its_stages_replies_and_services():
    saga = SagaDefinition("trip", [FLIGHT, [HOTEL, Step("car", "ReserveCar", "CancelCar")],
                                   Approval("manager", timeout=60, escalation=30)], started_by="BookTrip")
    assert saga.stage_names == ["flight", "hotel_and_car", "manager"]
    assert saga.compensable == ["flight", "hotel", "car"]
    assert saga.key == "trip_id"
    assert saga.services() == {"flights", "hotels", "cars"}
    assert saga.replies["hotel"].failed == ("HotelUnavailable",)
    assert saga.undo_replies["car"].done == ("CarCancelled",)
    assert {"FlightReserved", "CarCancellationFailed"} <= saga.reply_types()
    assert "BookTrip" not in saga.reply_types()  # a command owned by the orchestrator comes by routing


def test_a_saga_started_by_the_first_steps_reply_counts_that_step_done():
    saga = SagaDefinition("order", [Step("order", "PlaceOrder", "CancelOrder"),
                                    Step("invoice", "CreateInvoice", "CancelInvoice")], started_by="OrderPlaced")
    assert saga.first_done_by_trigger and saga.key == "order_id"
    assert "OrderPlaced" in saga.reply_types()


def test_the_late_policy_defaults_to_undoing_when_an_undo_exists():
    assert FLIGHT.late_policy == "compensate"
    assert Step("mail", "SendWelcome", compensation_required=False).late_policy == "ignore"


def test_retry_waits_grow_by_the_factor_up_to_the_cap():
    retry = Retry(count=5, backoff=1.0, factor=3.0, max_delay=5.0)
    assert [retry.delay(n, Randomness(1), "k") for n in (2, 3, 4, 5)] == [1.0, 3.0, 5.0, 5.0]


def test_retry_jitter_is_seeded_bounded_and_differs_between_instances_and_seeds():
    retry = Retry(count=3, backoff=2.0, jitter=0.5)
    first = [retry.delay(2, Randomness(7), f"trip-{i}:do:hotel") for i in range(50)]
    assert first == [retry.delay(2, Randomness(7), f"trip-{i}:do:hotel") for i in range(50)]
    assert all(1.0 <= d <= 3.0 for d in first)
    assert len(set(first)) == 50
    assert first != [retry.delay(2, Randomness(8), f"trip-{i}:do:hotel") for i in range(50)]


def _retry_times(seed: int) -> list[float]:
    """When one always-refused hotel booking is retried, on a run whose only seeded draws are the jitter."""
    saga = SagaDefinition("trip", [Step("hotel", "ReserveHotel", "CancelHotel",
                                        retry=Retry(count=3, backoff=2.0, jitter=0.5))])

    async def book() -> list[float]:
        bus = Bus(randomness=Randomness(seed))
        host = orchestrate(bus, {"hotels": Hotels(fail="always")}, [saga], Randomness(seed))
        await bus.start()
        await host.start("trip", "trip-1", {"trip_id": "trip-1", "traveller": "a traveller"})
        await bus.drained()
        await bus.stop()
        return [e.time for e in bus.trace if e.kind == "retry"]

    return run_simulated(book, horizon=100.0)


def test_the_same_seed_waits_the_same_and_another_seed_waits_differently():
    first = _retry_times(3)
    assert len(first) == 3 and first == _retry_times(3)
    assert first != _retry_times(4)


def test_the_definition_prints_as_a_readable_outline():
    text = repr(SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", timeout=5,
                                             retry=Retry(count=2)), Parallel(HOTEL, Step("car", "ReserveCar", "CancelCar"))],
                               started_by="BookTrip"))
    assert text.splitlines()[0] == "saga 'trip', started by BookTrip"
    assert "1. flight: ReserveFlight, undo CancelFlight, timeout 5s, retry ×2" in text
    assert "∥ car: ReserveCar" in text
