"""Pictures are checked for what they draw: lanes, arrows, bars, fault marks, lines, labels."""

import matplotlib.pyplot as plt
import pytest

from playground.analysis.metrics import end_to_end, percentile
from playground.errors import PlaygroundError
from playground.runtime.fault_rules import Duplicate, FailCalls
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow
from playground.viz.charts import plot_backlog, plot_latency
from playground.viz.timeline import swimlane


@pytest.fixture(scope="module")
def broken_run():
    plan = FaultPlan(crashes={"email": [(1.7, 4.0)]}, messages=[Duplicate(type="OrderPlaced", nth=2)],
                     failures=[FailCalls("payments", nth=2)])
    return order_flow(orders=4, seed=1, faults=plan).run()


def _gid(ax, gid):
    return [a for a in [*ax.patches, *ax.collections] if a.get_gid() == gid]


def test_the_swimlane_has_a_lane_per_component_and_an_arrow_per_delivery(broken_run):
    fig = swimlane(broken_run)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["email", "shipping", "payments", "invoices", "orders", "customers"]
    delivered = broken_run.trace.where(kind="deliver")
    assert len(_gid(ax, "message")) == len(delivered)
    dashed = [p for p in _gid(ax, "message") if p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 2  # the duplicated OrderPlaced and the redelivered InvoiceCreated
    handled = len(broken_run.trace.where(kind="end")) + len(broken_run.trace.where(kind="redeliver"))
    assert sum(len(c.get_paths()) for c in _gid(ax, "work")) == handled
    (marks,) = _gid(ax, "fault")
    point_faults = [e for e in broken_run.trace.where(kind="fault") if e.detail.get("phase") not in ("down", "up")]
    assert len(marks.get_offsets()) == len(point_faults) == 2  # the duplicate and the failed call
    assert len(_gid(ax, "down")) == 1
    assert ax.get_xlabel() == "simulated time (s)" and ax.get_title()
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"injected fault", "component down"}
    plt.close(fig)


def test_the_swimlane_of_one_order_only_draws_that_order(broken_run):
    fig = swimlane(broken_run, correlation_ids=["order-0003"])
    ax = fig.axes[0]
    assert len(_gid(ax, "message")) == len(broken_run.trace.where(kind="deliver", correlation_id="order-0003"))
    assert "1 transaction(s)" in ax.get_title()
    plt.close(fig)


def test_the_swimlane_refuses_a_picture_too_busy_to_read(small_run):
    with pytest.raises(PlaygroundError, match="pick a few correlation_ids"):
        swimlane(small_run, max_arrows=20)


def test_the_backlog_plot_has_a_line_per_inbox_and_shades_the_outage():
    result = order_flow(orders=100, seed=3, faults=FaultPlan(outages={"email": [(20.0, 80.0)]})).run()
    fig = plot_backlog(result)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"orders", "invoices", "payments", "shipping", "email"}
    assert max(lines["email"].get_ydata()) > 10 and max(lines["shipping"].get_ydata()) <= 3
    spans = [p for p in ax.patches if p.get_x() == 20.0]
    assert len(spans) == 1 and spans[0].get_width() == pytest.approx(60.0)
    assert ax.get_ylabel() == "messages waiting in the inbox" and "component down" in [
        t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_the_latency_histogram_marks_each_runs_percentiles(small_run):
    other = order_flow(orders=30, seed=12).run()
    fig = plot_latency({"first": small_run, "second": other}, bins=10)
    ax = fig.axes[0]
    vertical = {line.get_label(): line.get_xdata()[0] for line in ax.get_lines()}
    expected = percentile(list(end_to_end(small_run).values()), 99)
    assert vertical[f"first p99 = {expected:.2f} s"] == pytest.approx(expected)
    assert len(vertical) == 4
    outlines = [p for p in ax.patches]
    assert len(outlines) == 2  # one step outline per run
    assert "first (30 transactions)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_a_swimlane_of_chosen_orders_still_shows_when_a_lane_was_down():
    plan = FaultPlan(crashes={"orchestrator": [(1.0, 3.0)]})
    result = order_flow(orders=4, seed=1, faults=plan, wiring="orchestration").run()
    fig = swimlane(result, correlation_ids=["order-0001", "order-0002"])
    ax = fig.axes[0]
    assert "orchestrator" in [t.get_text() for t in ax.get_yticklabels()]
    (down,) = _gid(ax, "down")
    xs = down.get_paths()[0].vertices[:, 0]
    assert min(xs) == pytest.approx(1.0) and max(xs) == pytest.approx(3.0)
    plt.close(fig)
