"""Scenario variants the exercises run learners' code in: bad input gets one sentence, the rest stays as shipped."""

import pytest

from playground.errors import ScenarioError
from playground.orchestration import Step
from playground.scenarios import order_flow
from playground.scenarios.incident_variants import incident_with
from playground.scenarios.invoice_incident import invoice_incident
from playground.scenarios.new_version import new_version
from playground.scenarios.trip_variants import trip_with
from playground.services import Email, Service


def test_an_unchanged_new_version_leaves_the_trace_unchanged():
    class SameEmail(Email):
        pass

    assert new_version(SameEmail, orders=20, seed=2).run().trace.digest() == \
        order_flow(orders=20, seed=2).run().trace.digest()


def test_the_incident_without_a_remedy_is_the_incident():
    assert incident_with(orders=30, seed=1).run().trace.digest() == invoice_incident(orders=30, seed=1).run().trace.digest()


@pytest.mark.parametrize("make, fragment", [
    (lambda: new_version(type("Mail", (Service,), {"name": "mail"}), orders=1), "no such service"),
    (lambda: new_version(type("Mute", (Service,), {"name": "email"}), orders=1), "no longer handles"),
    (lambda: incident_with(payment_step=Step("ship", "ShipOrder", "CancelShipment"), orders=1),
     "whose action is 'ChargePayment'"),
    (lambda: incident_with(reactions={"accounting": {"InvoiceNotFound": "RefundPayment"}}, orders=1),
     "no service called 'accounting'"),
    (lambda: trip_with(car_step=Step("hotel", "ReserveHotel", "CancelHotel"), trips=1),
     "whose action is 'ReserveCar'"),
    (lambda: trip_with(cars=Email, trips=1), "named 'cars'"),
])
def test_a_variant_refuses_what_it_cannot_run_in_one_sentence(make, fragment):
    with pytest.raises(ScenarioError) as caught:
        make()
    assert fragment in str(caught.value) and "\n" not in str(caught.value)
