import pytest

from playground.errors import ScenarioError
from playground.scenarios import order_flow
from playground.scenarios.new_consumer import order_flow_with
from playground.services import Service, emit, handles


class Tally(Service):
    name = "loyalty"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.completed = []

    @handles("AwardPoints")
    def award(self, order_id, customer):
        self.completed.append(order_id)
        return [emit("PointsAwarded", order_id=order_id, customer=customer, points=1)]


def _producer_sends(result):
    return [(e.time, e.at, e.type, e.correlation_id) for e in result.trace.where(kind="send")
            if e.at != "loyalty"]


def test_a_newcomer_hears_every_completion_and_changes_no_producer():
    plain = order_flow(orders=25, seed=4, decline_rate=0.2).run()
    joined = order_flow_with(Tally, {"OrderCompleted": "AwardPoints"}, orders=25, seed=4, decline_rate=0.2).run()
    completed = sorted(o for o, state in plain.outcomes.items() if state == "completed")
    assert sorted(joined.services["loyalty"].completed) == completed
    assert _producer_sends(joined) == _producer_sends(plain)
    assert joined.outcomes == plain.outcomes


@pytest.mark.parametrize("consumer, reactions, fragment", [
    (Tally, {"OrderCompleted": "GivePoints"}, "has no @handles('GivePoints') method"),
    (Tally, {"PointsGiven": "AwardPoints"}, "not an event in the catalog"),
    (Tally, {"AwardPoints": "AwardPoints"}, "not an event in the catalog"),
    (Tally, {}, "at least one entry"),
    (object, {"OrderCompleted": "AwardPoints"}, "must be a Service class"),
    (type("Shadow", (Tally,), {"name": "orders"}), {"OrderCompleted": "AwardPoints"}, "needs a name of its own"),
])
def test_a_misconfigured_newcomer_gets_one_clear_sentence(consumer, reactions, fragment):
    with pytest.raises(ScenarioError) as caught:
        order_flow_with(consumer, reactions, orders=2)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
