import pytest

from playground.errors import PlaygroundError
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow
from playground.viz.follow_up import plot_follow_up


def test_the_gap_grows_while_the_follow_up_is_down_and_closes_after():
    run = order_flow(orders=40, seed=2, faults=FaultPlan(outages={"email": [(10, 25)]})).run()
    fig = plot_follow_up(run, "OrderCompleted", "ConfirmationSent", mark=10, mark_label="email stops")
    top, bottom = fig.axes
    assert [line.get_label() for line in top.get_lines()][:2] == ["OrderCompleted", "ConfirmationSent"]
    gap = bottom.get_lines()[0].get_ydata()
    assert max(gap) > 5 and gap[-1] == 0
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert "email stops" in labels and "email down" in labels


def test_a_cause_that_never_happened_is_refused():
    with pytest.raises(PlaygroundError, match="No PushSent was sent"):
        plot_follow_up(order_flow(orders=3, seed=1).run(), "PushSent", "OrderCompleted")


def test_a_follow_up_still_owed_at_the_end_is_pointed_out():
    from playground.runtime.faults import Drop

    lost = order_flow(orders=10, seed=2, faults=FaultPlan(messages=[Drop(type="OrderCompleted", inbox="email", nth=3)])).run()
    fig = plot_follow_up(lost, "OrderCompleted", "ConfirmationSent")
    assert [t.get_text() for t in fig.axes[1].texts] == ["1 still owed at the end"]
    assert len(plot_follow_up(order_flow(orders=10, seed=2).run(), "OrderCompleted", "ConfirmationSent").axes[1].texts) == 0
