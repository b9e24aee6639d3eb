import pytest

from playground.analysis.behaviour import difference
from playground.errors import ScenarioError
from playground.scenarios.push_join import push_join

PRODUCERS = ["orders", "invoices", "payments", "shipping", "email"]


@pytest.fixture(scope="module")
def without():
    return push_join(orders=60, seed=2, style=None).run()


def test_a_late_joiner_hears_only_what_happens_after_it_subscribes(without):
    joined = push_join(orders=60, seed=2, join_at=30.0).run()
    after = [e for e in joined.trace.where(kind="send", type="OrderCompleted") if e.time >= 30]
    assert len(joined.services["push"].sent) == len(after) > 0
    assert joined.trace.where(kind="state", at="push")[0].time == 30
    assert difference(without, joined, PRODUCERS) is None


def test_calling_back_fails_until_the_producer_changes_and_then_changes_its_behaviour(without):
    asking = push_join(orders=60, seed=2, style="call-back").run()
    assert asking.services["push"].sent == [] and len(asking.dead_letters) == 60
    answered = push_join(orders=60, seed=2, style="call-back", queryable=True).run()
    assert all("EUR" in text for _, text in answered.services["push"].sent)
    assert difference(without, answered, PRODUCERS) is not None


def test_event_carried_state_needs_nobody_and_starts_empty(without):
    carried = push_join(orders=60, seed=2, style="carried").run()
    assert len(carried.services["push"].sent) == 60 and all("EUR" in t for _, t in carried.services["push"].sent)
    assert difference(without, carried, PRODUCERS) is None
    late = push_join(orders=60, seed=2, style="carried", join_at=10.5).run()  # one order is placed before, done after
    texts = [t for _, t in late.services["push"].sent]
    assert any("EUR" not in t for t in texts) and any("EUR" in t for t in texts)


@pytest.mark.parametrize("params, fragment", [
    ({"style": "sms"}, "no push style 'sms'"), ({"join_at": -1}, "join_at must be a number"),
])
def test_bad_parameters_get_one_sentence(params, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        push_join(**params)
