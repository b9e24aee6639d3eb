"""Runs side by side: every cell computed from its own run, and mismatched runs refused."""

import pytest

from playground.analysis.compare import side_by_side
from playground.analysis.invariants import check
from playground.analysis.metrics import latency_percentiles
from playground.errors import PlaygroundError
from playground.scenarios import onboarding_flow, order_flow


@pytest.fixture(scope="module")
def pair():
    return {"choreography": order_flow(orders=20, seed=3, decline_rate=0.2).run(),
            "orchestration": order_flow(orders=20, seed=3, decline_rate=0.2, wiring="orchestration").run()}


def test_every_cell_comes_from_its_own_run(pair):
    table = side_by_side(pair)
    for label, result in pair.items():
        assert table.value("orders", label) == 20
        for state, n in result.counts().items():
            assert table.value(state, label) == n
        assert table.value("messages sent", label) == result.trace.kinds()["send"]
        assert table.value("median latency (s)", label) == pytest.approx(latency_percentiles(result, [50])[50])
        assert table.value("dead letters", label) == len(result.dead_letters)
        for name, found in check(result).items():
            assert table.value(name, label) == len(found)
    assert table.value("messages sent", "orchestration") > table.value("messages sent", "choreography")


def test_outcomes_missing_from_one_run_count_as_zero_and_rows_follow_the_most_common(pair):
    clean = order_flow(orders=20, seed=3).run()
    table = side_by_side({"declines": pair["choreography"], "none": clean}, invariants=False)
    labels = [label for label, _, _ in table.rows]
    assert labels[:3] == ["orders", "  completed", "  cancelled"]
    assert table.value("cancelled", "none") == 0
    assert "paid-without-invoice" not in labels


def test_the_text_and_html_show_every_run_and_measure(pair):
    table = side_by_side(pair, invariants=("money_conserved",))
    text, html = str(table), table._repr_html_()
    assert text.splitlines()[0].split() == ["choreography", "orchestration"]
    assert len(text.splitlines()) == len(table.rows) + 1
    assert html.count("<tr>") == len(table.rows) + 1 and "money-conserved" in html


def test_mismatched_or_missing_runs_and_names_get_one_sentence(pair):
    with pytest.raises(PlaygroundError, match="at least one run"):
        side_by_side({})
    users = onboarding_flow(users=5, seed=1, wiring="orchestration").run()
    with pytest.raises(PlaygroundError, match="count different things"):
        side_by_side({"orders": pair["choreography"], "users": users}, invariants=False)
    table = side_by_side(pair, invariants=False)
    with pytest.raises(PlaygroundError, match="no measure called 'speed'"):
        table.value("speed", "choreography")
    with pytest.raises(PlaygroundError, match="no run called 'both'"):
        table.value("orders", "both")


def test_latency_rows_can_be_left_out_for_transactions_without_a_single_finish(pair):
    table = side_by_side(pair, invariants=False, latency=False)
    labels = [label for label, _, _ in table.rows]
    assert not [label for label in labels if "latency" in label]
    assert "messages sent" in labels and "finished at (s)" in labels
