"""The evolving order flow: a step in the middle and followers at the end, in both wirings."""

import pytest

from playground.errors import ScenarioError
from playground.scenarios.evolving import (
    evolving_orders,
    evolving_reactions,
    evolving_saga,
)
from playground.services import Payments


@pytest.mark.parametrize("wiring", ["choreography", "orchestration"])
def test_the_grown_flow_completes_every_order_and_runs_each_new_service(wiring):
    result = evolving_orders(orders=12, seed=4, wiring=wiring, screening=True, followers=("push", "report")).run()
    assert result.counts() == {"completed": 12}
    assert len(result.services["screening"].screened) == 12
    assert len(result.services["push"].sent) == len(result.services["reports"].sales) == 12
    assert "email" not in result.services


def test_screening_moves_payments_onto_its_event_in_the_choreography_and_adds_a_stage_to_the_saga():
    assert evolving_reactions()["payments"] == {"InvoiceCreated": "ChargePayment"}
    assert evolving_reactions(screening=True)["payments"] == {"OrderScreened": "ChargePayment"}
    assert evolving_saga(screening=True).stage_names[2] == "screen"
    assert evolving_saga(followers=()).stage_names[-1] == "complete"


def test_a_payments_subclass_takes_the_payments_place():
    class Careful(Payments):
        pass

    result = evolving_orders(orders=3, seed=1, payments=Careful).run()
    assert type(result.services["payments"]) is Careful


def test_bad_arguments_are_refused_in_one_sentence():
    with pytest.raises(ScenarioError, match="no follower called 'sms'"):
        evolving_orders(followers=("sms",))
    with pytest.raises(ScenarioError, match="payments must be Payments or a subclass"):
        evolving_orders(payments=object)
    with pytest.raises(ScenarioError, match="no service called 'fraud'"):
        evolving_orders(latency={"fraud": 1.0})
