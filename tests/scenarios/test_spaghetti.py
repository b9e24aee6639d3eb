"""The grown order flow: messages per order by team and style, the same business outcome, parameters checked."""

import pytest

from playground.analysis.metrics import messages_per_transaction
from playground.errors import ScenarioError
from playground.scenarios.ping_pong import ping_pong
from playground.scenarios.spaghetti import event_spaghetti


def test_each_ungoverned_team_adds_messages_and_governed_teams_add_one():
    per_order = [messages_per_transaction(event_spaghetti(orders=4, seed=2, teams=n).run())["order-0001"]
                 for n in range(6)]
    assert per_order == [8, 14, 20, 26, 32, 51]
    governed = event_spaghetti(orders=4, seed=2, teams=5, style="governed").run()
    assert set(messages_per_transaction(governed).values()) == {9}
    assert governed.counts() == {"completed": 4} and governed.dead_letters == []


def test_bad_parameters_are_refused():
    with pytest.raises(ScenarioError, match="teams must be between 0 and 5, not 6"):
        event_spaghetti(teams=6)
    with pytest.raises(ScenarioError, match="style must be one of ungoverned, governed, not 'tidy'"):
        event_spaghetti(style="tidy")


def test_a_depth_limit_dead_letters_the_loop_with_its_reason_and_leaves_other_runs_alone():
    stopped = ping_pong(orders=3, seed=1, max_depth=10).run()
    assert stopped.counts() == {"dead-lettered": 3}
    reasons = {d.reason for d in stopped.dead_letters}
    assert reasons == {"its causation chain reached 11 messages, past the limit of 10; look for events that keep "
                       "causing each other"}
    with pytest.raises(ScenarioError, match="max_depth must be a whole number of at least 1"):
        ping_pong(max_depth=0)
