"""Replays: the panel's settings (and live crashes) on simulated time, the same every time."""

from playground.live.plot import LivePlot
from playground.live.replay import fault_plan, run_replay
from playground.live.settings import Settings
from playground.runtime.faults import FailCalls


def test_failure_rates_become_seeded_failing_calls():
    plan = fault_plan(Settings(failure={"payments": 0.1, "email": 0}), {"email": [(1.0, 2.0)]})
    assert plan.failures == [FailCalls("payments", fraction=0.1)]
    assert plan.crashes == {"email": [(1.0, 2.0)]}


def test_an_orchestrator_crash_is_replayed_only_where_there_is_an_orchestrator():
    replay = run_replay(Settings(wiring="both", orders=30, seed=2),
                        crashes={"orchestrator": [(5.0, 15.0)], "email": [(3.0, 9.0)]})
    faults = {w: {e.at for e in r.trace.where(kind="fault")} for w, r in replay.results.items()}
    assert faults["choreography"] == {"email"}
    assert faults["orchestration"] == {"email", "orchestrator"}
    assert all(sum(r.counts().values()) == 30 for r in replay.results.values())


def test_the_same_settings_replay_to_the_same_traces():
    settings = Settings(wiring="both", orders=25, seed=9, failure={"shipping": 0.2})
    first, second = run_replay(settings), run_replay(settings)
    assert first.summary() == second.summary()
    assert run_replay(settings.but(seed=10)).summary() != first.summary()


def test_a_panels_replays_share_one_figure_and_each_picture_shows_its_own_data():
    plot = LivePlot(size=(8.0, 4.6))
    small, large = run_replay(Settings(orders=10, seed=1)), run_replay(Settings(orders=40, seed=1))
    first = small.picture(plot)
    figure = plot.figure
    second = large.picture(plot)
    assert plot.figure is figure and first[:4] == second[:4] == b"\x89PNG" and first != second
    completed = plot.figure.axes[0].get_lines()[0].get_ydata()
    assert completed[-1] == large.counts("choreography")["completed"]
    assert plot.figure.axes[0].get_title() == large._title()
