"""Saga states over time: the replay agrees with the trace and the end of the run, and the plot shows it."""

import pytest

from playground.errors import PlaygroundError
from playground.orchestration import Approval
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow, travel_booking
from playground.viz.saga_states import plot_saga_states, state_history


def test_the_replay_ends_where_the_run_ended_and_never_counts_below_zero():
    result = travel_booking(trips=15, seed=3, fail={"car": 0.4}).run()
    history = state_history(result)
    for state in history.endings:
        assert history.count(state)[-1] == result.counts()[state]
    assert all(history.count(s)[-1] == 0 for s in history.waiting)
    assert all(n >= 0 for s in history.waiting for n in history.count(s))
    assert history.waiting[:3] == ["flight", "hotel", "car"] and "compensating" in history.waiting
    assert len(history.times) == len(set(history.times))  # one point per instant


def test_instances_an_orchestrator_forgot_stay_in_the_state_the_trace_last_saw():
    forgot = travel_booking(trips=20, seed=2, rate=4.0, faults=FaultPlan(crashes={"orchestrator": [(3.0, 6.0)]})).run()
    history = state_history(forgot)
    stranded = sum(history.count(s)[-1] for s in history.waiting)
    assert stranded == sum(1 for outcome in forgot.outcomes.values() if outcome != "completed") > 0


def test_the_plot_stacks_waiting_states_shades_the_outage_and_labels_everything():
    crashed = travel_booking(trips=10, seed=2, rate=2.0, faults=FaultPlan(crashes={"orchestrator": [(2.0, 4.0)]}),
                             approval=Approval("manager", timeout=60, escalation=60)).run()
    fig = plot_saga_states(crashed, title="crash")
    top, bottom = fig.axes
    assert [line.get_label() for line in top.get_lines()] == state_history(crashed).endings
    labels = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert labels == [*state_history(crashed).waiting, "orchestrator down"]
    assert bottom.get_xlabel() == "simulated time (s)" and top.get_title() == "crash"
    colours = [p.get_facecolor() for p in bottom.collections]
    assert len({tuple(c[0]) for c in colours}) == len(colours)  # no two states share a colour


def test_a_run_without_an_orchestrator_gets_one_sentence():
    with pytest.raises(PlaygroundError, match="only orchestrated runs"):
        state_history(order_flow(orders=3, seed=1).run())
