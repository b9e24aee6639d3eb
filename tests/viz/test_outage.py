import pytest

from playground.errors import PlaygroundError
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow
from playground.viz.outage import outages, plot_outage, plot_work_rates


@pytest.fixture(scope="module")
def runs():
    plan = FaultPlan(outages={"email": [(10, 30)]})
    return {w: order_flow(orders=40, seed=6, wiring=w, faults=plan).run() for w in ("choreography", "orchestration")}


def test_work_rates_draw_one_panel_per_run_with_the_window_shaded(runs):
    fig = plot_work_rates(runs, ["orders", "email"])
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert [line.get_label() for line in ax.get_lines()] == ["orders", "email"]
        assert len(ax.patches) == 1 and ax.patches[0].get_x() == 10  # the shaded window
        assert "component down" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_outage_plot_shows_the_backlog_and_every_finished_transaction(runs):
    fig = plot_outage(runs, "email")
    top, bottom = fig.axes
    assert [line.get_label() for line in top.get_lines()] == ["choreography", "orchestration"]
    assert [len(c.get_offsets()) for c in bottom.collections] == [40, 40]
    assert max(top.get_lines()[0].get_ydata()) > 5
    assert fig._suptitle.get_text() == "While email was down"


def test_outages_lists_the_windows_and_an_empty_selection_is_refused(runs):
    assert outages(runs["choreography"]) == [("email", 10, 30)]
    with pytest.raises(PlaygroundError, match="at least one run"):
        plot_work_rates({}, ["orders"])
