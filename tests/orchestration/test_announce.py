"""A saga that announces its end in the business's words, and a step that waits for an event from the world."""

import pytest

from playground.errors import SagaDefinitionError
from playground.orchestration.saga import Announce, SagaDefinition, Step
from playground.scenarios.freight import customs_saga, freight

FLIGHT = Step("flight", "ReserveFlight", "CancelFlight")


@pytest.mark.parametrize("announces, fragment", [
    ({"finished": "FlightCancelled"}, "announces an ending called 'finished'; an instance ends completed, compensated, stuck"),
    ({"compensated": "FlightCancelld"}, "with 'FlightCancelld', which the catalog does not declare as an event"),
    ({"compensated": "CancelFlight"}, "with 'CancelFlight', which the catalog does not declare as an event"),
    ({"compensated": "FlightCancelled"}, "whose field 'flight' nothing fills; pass it as Announce('FlightCancelled', flight=...)"),
    ({"compensated": 42}, "give an event name or Announce('SomethingHappened', field=value)"),
])
def test_an_announcement_that_cannot_be_published_is_refused_in_one_sentence(announces, fragment):
    with pytest.raises(SagaDefinitionError) as caught:
        SagaDefinition("trip", [FLIGHT], started_by="BookTrip", announces=announces)
    assert fragment in str(caught.value)


def test_a_completed_ending_may_use_every_reply_but_a_compensated_one_only_the_start():
    SagaDefinition("trip", [FLIGHT], started_by="BookTrip", announces={"completed": "FlightReserved"})
    with pytest.raises(SagaDefinitionError, match="field 'flight' nothing fills"):
        SagaDefinition("trip", [FLIGHT], started_by="BookTrip", announces={"compensated": "FlightReserved"})


def test_the_boundary_names_the_start_the_ends_and_the_services_inside():
    assert customs_saga().boundary() == {
        "starts": "CustomsHoldPlaced",
        "ends": {"completed": "CustomsReleased", "compensated": "CustomsRejected", "stuck": "SagaStuck"},
        "inside": ["agency", "documents", "duties"]}
    assert Announce("X", a=1) == Announce("X", a=1) != Announce("X", a=2)


def test_each_customs_instance_ends_with_exactly_one_announcement_and_no_generic_ending():
    run = freight(shipments=8, seed=5, refused=0.5).run()
    ends = [e for e in run.trace.where(kind="send", at="orchestrator")
            if e.type in ("CustomsReleased", "CustomsRejected", "SagaCompleted", "SagaCompensated")]
    assert sorted(e.correlation_id for e in ends) == sorted(run.outcomes)
    assert {e.type for e in ends} == {"CustomsReleased", "CustomsRejected"}
    rejected = {e.correlation_id for e in ends if e.type == "CustomsRejected"}
    assert rejected == {s for s, o in run.outcomes.items() if o == "returned"}
    payloads = {e.correlation_id: e for e in ends}
    message = next(e for e in run.trace.where(kind="send", type="CustomsRejected"))
    assert message.correlation_id in payloads


def test_a_correlated_step_waits_days_for_the_worlds_event_and_nothing_is_parked():
    run = freight(shipments=6, seed=2, wiring="orchestration").run()
    assert run.counts() == {"delivered": 6} and run.dead_letters == []
    voyage = [e for e in run.trace.where(kind="step", at="orchestrator") if e.detail["step"] == "voyage"]
    assert len(voyage) == 6 and {e.type for e in voyage} == {"ShipmentAtPort"}
    sent = {e.correlation_id: e.time for e in run.trace.where(kind="send", type="ExpectArrival")}
    assert all(e.time - sent[e.correlation_id] > 86400 for e in voyage)  # the voyage takes at least a day
