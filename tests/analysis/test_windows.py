import pytest

from playground.analysis.metrics import Series
from playground.analysis.windows import (drained_at, ended_at, finished_between, handled, latency_by_start, peak,
                                         work_rate)
from playground.errors import PlaygroundError
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow


@pytest.fixture(scope="module")
def email_down():
    return order_flow(orders=80, seed=4, faults=FaultPlan(outages={"email": [(20, 50)]})).run()


def test_a_down_service_handles_nothing_in_its_window_and_catches_up_after(email_down):
    assert handled(email_down, "email", 20, 50) == 0
    assert handled(email_down, "email") == 80
    assert finished_between(email_down, 20, 50) > 20  # orders keep completing meanwhile
    assert finished_between(email_down, 20, 50, outcome="cancelled") == 0
    drained = drained_at(email_down, "email", after=50)
    assert 50 < drained < email_down.finished_at
    assert drained_at(email_down, "email", after=0) == 0


def test_work_rate_series_line_up_and_add_up(email_down):
    rates = work_rate(email_down, ["orders", "email"], window=5)
    assert rates["orders"].times == rates["email"].times
    assert sum(rates["email"].values) * 5 == pytest.approx(80)
    assert rates["email"].at(30) == 0


def test_latency_by_start_is_sorted_and_covers_every_finished_order(email_down):
    starts, took = latency_by_start(email_down)
    assert starts == sorted(starts) and len(took) == len(ended_at(email_down)) == 80
    assert min(took) > 0


def test_peak_and_window_checks():
    s = Series([0.0, 5.0, 10.0], [0, 7, 2])
    assert peak(s) == 7 and peak(s, 6, 20) == 7 and peak(s, 10, 20) == 2
    with pytest.raises(PlaygroundError, match="start < end"):
        peak(s, 5, 5)
