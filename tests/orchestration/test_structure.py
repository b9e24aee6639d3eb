"""A saga's structure: compensatable steps, the pivot, and steps after it that must retry."""

from playground.flows.orders import ORDER_SAGA
from playground.orchestration.saga import Approval, Retry, SagaDefinition, Step
from playground.orchestration.structure import saga_structure
from playground.scenarios.travel import travel_saga

AGAIN = Retry(count=3, backoff=1.0)


def test_the_order_saga_has_its_pivot_at_settle_and_an_undo_after_it():
    shape = saga_structure(ORDER_SAGA)
    assert (shape.compensatable, shape.pivot, shape.after) == (
        ["order", "invoice", "payment"], "settle", ["ship", "complete", "confirm"])
    assert any(p.startswith("'ship' has an undo (CancelShipment) but comes after the pivot 'settle'")
               for p in shape.problems)
    assert sum("without a retry policy" in p for p in shape.problems) == 3
    assert "✗" in repr(shape) and "✓" not in repr(shape)


def test_a_saga_with_the_payment_as_pivot_and_retrying_steps_after_it_is_well_ordered():
    ordered = SagaDefinition("order", [
        Step("order", "PlaceOrder", "CancelOrder"), Step("invoice", "CreateInvoice", "CancelInvoice"),
        Step("payment", "ChargePayment", compensation_required=False),
        Step("ship", "ShipOrder", compensation_required=False, retry=AGAIN),
    ], started_by="OrderPlaced")
    shape = saga_structure(ordered)
    assert (shape.pivot, shape.problems) == ("payment", [])
    assert "✓" in repr(shape)


def test_a_saga_whose_every_step_can_be_undone_has_no_pivot():
    shape = saga_structure(travel_saga())
    assert (shape.compensatable, shape.pivot, shape.after, shape.problems) == (["flight", "hotel", "car"], None, [], [])


def test_an_approval_is_a_pivot_and_the_semantic_lock_confirms_after_it_with_retries():
    shape = saga_structure(travel_saga(approval=Approval("manager", timeout=300), semantic_lock=True))
    assert (shape.pivot, shape.after, shape.problems) == ("manager", ["confirm"], [])
    without_retry = saga_structure(SagaDefinition("trip", [
        Step("flight", "ReserveFlight", "CancelFlight"), Approval("manager", timeout=300),
        Step("confirm", "ConfirmHotel", compensation_required=False)], started_by="BookTrip"))
    assert without_retry.problems == ["'confirm' comes after the pivot 'manager' without a retry policy: one transient "
                                      "failure would start a rollback that cannot undo 'manager'."]
