"""Each component's own machine read from the trace, and one instance's slices at a moment."""

import pytest

from playground.analysis.local_states import local_machines, local_states
from playground.errors import PlaygroundError
from playground.runtime.faults import FaultPlan
from playground.scenarios import onboarding_flow


@pytest.fixture(scope="module")
def undone():
    # A welcome deadline shorter than an email outage: accounts are opened, then closed again.
    return onboarding_flow(users=30, seed=7, wiring="orchestration", welcome_timeout=5,
                           faults=FaultPlan(outages={"email": [(10, 25)]})).run()


def test_every_state_change_is_counted_once_under_its_trigger(undone):
    machines = local_machines(undone)
    changes = [e for e in undone.trace.where(kind="state")]
    assert sum(sum(m.transitions.values()) for m in machines.values()) == len(changes)
    accounts = machines["accounts"]
    closed = accounts.transitions[("open", "closed", "CloseAccount")]
    assert accounts.transitions[(None, "open", "OpenAccount")] == 30 and closed > 0
    assert accounts.states == ["open", "closed"]
    assert closed == sum(1 for state in undone.services["accounts"].accounts.values() if state == "closed")


def test_components_can_be_chosen_and_a_stateless_one_is_named(undone):
    assert list(local_machines(undone, ["accounts"])) == ["accounts"]
    with pytest.raises(PlaygroundError, match="email changed no state"):
        local_machines(undone, ["accounts", "email"])


def test_local_states_follow_one_instance_through_time(undone):
    closed = next(u for u, s in undone.services["accounts"].accounts.items() if s == "closed")
    entries = [e for e in undone.trace.where(kind="state", at="accounts") if e.detail["instance"] == closed]
    opened_at, closed_at = entries[0].time, entries[1].time
    assert local_states(undone, closed, at=opened_at, components=["accounts"]) == {"accounts": "open"}
    assert local_states(undone, closed, components=["accounts"]) == {"accounts": "closed"}
    assert local_states(undone, closed, at=closed_at - 0.001)["accounts"] == "open"
    assert local_states(undone, closed)["orchestrator"] == "compensated"
    assert local_states(undone, "user-9999") == {}
