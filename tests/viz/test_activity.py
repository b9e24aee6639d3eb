import pytest

from playground.errors import PlaygroundError
from playground.runtime.latency import Uniform
from playground.scenarios import order_flow
from playground.viz.activity import in_flight, plot_activity, send_times


def test_in_flight_counts_started_minus_ended():
    xs, ys = in_flight([0.5, 1.0, 1.5], [1.2, 2.0])
    assert xs == [0.0, 0.5, 1.0, 1.2, 1.5, 2.0]
    assert ys == [0, 1, 2, 1, 2, 1]


def test_plot_draws_one_line_per_type_with_every_send_counted(small_run):
    fig = plot_activity(small_run)
    top, bottom = fig.axes
    lines = {line.get_label(): line for line in top.get_lines()}
    assert list(lines) == ["OrderPlaced", "OrderCompleted", "OrderCancelled"]
    for name, line in lines.items():
        assert line.get_ydata()[-1] == len(send_times(small_run.trace, name))
    assert top.get_title() and bottom.get_xlabel() == "simulated time (s)"
    assert bottom.get_lines()[0].get_ydata()[-1] == 0  # everything finished


def test_chapter_00_claim_slow_payments_pile_up_and_fast_ones_do_not():
    def peak(payments):
        result = order_flow(orders=100, seed=7, decline_rate=0.05, latency={"payments": payments}).run()
        starts = send_times(result.trace, "OrderPlaced")
        ends = sorted(send_times(result.trace, "OrderCompleted") + send_times(result.trace, "OrderCancelled"))
        return max(in_flight(starts, ends)[1])

    slow, fast = peak(Uniform(0.9, 1.5)), peak(Uniform(0.3, 0.7))
    assert slow >= 4 * fast, (slow, fast)


def test_a_result_without_a_start_event_asks_for_one(small_run):
    from dataclasses import replace

    with pytest.raises(PlaygroundError, match="pass start="):
        plot_activity(replace(small_run, start=None))
