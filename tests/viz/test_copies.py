import pytest

from playground.errors import PlaygroundError
from playground.scenarios.order_flow import order_flow
from playground.scenarios.stale_copies import consumer_lag, stale_copies
from playground.viz.copies import plot_copies


def test_the_picture_shows_the_record_the_copy_the_stale_windows_and_the_wrong_decisions():
    run = stale_copies(orders=60, seed=1, faults=consumer_lag(30, 0.5)).run()
    fig = plot_copies(run)
    ax = fig.axes[0]
    labels = ax.get_legend().get_texts()
    assert [t.get_text() for t in labels][-1] == "copy disagrees with the record"
    wrong = [c for c in ax.collections if c.get_label() == "decided on a stale copy, wrong answer"]
    assert wrong and len(wrong[0].get_offsets()) > 0
    assert any(p.get_width() > 0 for p in ax.patches)  # at least one shaded stale window


def test_the_picture_refuses_a_run_without_copies_or_an_unknown_holder():
    with pytest.raises(PlaygroundError, match="stale_copies"):
        plot_copies(order_flow(orders=2, seed=1).run())
    with pytest.raises(PlaygroundError, match="holders here: sales"):
        plot_copies(stale_copies(orders=10, seed=1).run(), "customer-01", holder="billing")
