"""Both wirings, same seed, workload and faults: the same business outcomes, or a named permitted difference."""

import pytest
from hypothesis import given, note

from playground.testing.cases import Case
from playground.testing.differential import PERMITTED, differences
from playground.testing.strategies import budget, cases


@given(case=cases(scenario="order", wiring="choreography"))
@budget(0.25)
def test_without_lost_messages_the_wirings_agree_on_every_outcome_and_effect(case):
    note(case.snippet())
    found = differences(case)
    assert all(d.explained_by == "naive-email" for d in found), [str(d) for d in found]


@given(case=cases(scenario="order", wiring="choreography", lossy=True))
@budget(0.1)
def test_every_divergence_under_lost_messages_is_a_named_permitted_difference(case):
    note(case.snippet())
    unexplained = differences(case, explained=False)
    assert not unexplained, [str(d) for d in unexplained]


def test_a_drop_strands_different_orders_in_each_wiring_and_the_table_names_why():
    case = Case("order", "choreography", seed=4, size=4, faults={
        "crashes": {"email": [(2.6, 5.1), (7.6, 8.2)], "payments": [(0.9, 3.1)]},
        "latency": {"orders": 2.0, "email": 0.5},
        "messages": [("Reorder", {"within": 0.5, "fraction": 0.2}), ("Drop", {"fraction": 0.05})]})
    found = differences(case)
    orders = [d for d in found if d.subject.startswith("order-")]
    assert orders and all(d.explained_by == "lost-message" for d in orders), [str(d) for d in found]
    assert {d.explained_by for d in found} <= set(PERMITTED)


def test_a_duplicated_completion_reaches_the_naive_email_only_in_the_choreography_and_the_table_names_why():
    case = Case("order", "choreography", seed=0, size=1,
                faults={"messages": [("Duplicate", {"type": "OrderCompleted", "nth": 1})]})
    (only,) = differences(case)
    assert (only.choreography, only.orchestration, only.explained_by) == ("2×", "1×", "naive-email")


def test_a_scenario_with_one_wiring_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="Only the order flow has both wirings; 'travel' has one."):
        differences(Case("travel", "orchestration", seed=1, size=1))
