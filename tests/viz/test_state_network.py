"""The state-machine network in Mermaid: one box per component, its transitions inside, flows between."""

from playground.runtime.faults import FaultPlan
from playground.scenarios import onboarding_flow
from playground.viz.state_network import state_network


def test_the_choreography_has_a_box_per_service_and_no_process():
    result = onboarding_flow(users=12, seed=3).run()
    diagram = state_network(result)
    lines = [line.strip() for line in diagram.lines()]
    assert lines[0] == "stateDiagram-v2"
    assert 'state "users" as c_users {' in lines and 'state "accounts" as c_accounts {' in lines
    assert 'state "email (keeps no state)" as c_email' in lines
    assert "[*] --> accounts__open: UserCreated ×12" in lines
    assert "c_users --> c_accounts: UserCreated ×12" in lines and "c_users --> c_email: UserCreated ×12" in lines
    assert not any("orchestrator" in line for line in lines)
    assert diagram._repr_mimebundle_()["text/vnd.mermaid"] == diagram.source


def test_the_orchestrated_network_draws_the_orchestrators_machine_and_timers():
    result = onboarding_flow(users=20, seed=7, wiring="orchestration", welcome_timeout=5,
                             faults=FaultPlan(outages={"email": [(5, 20)]})).run()
    lines = [line.strip() for line in state_network(result).lines()]
    timed_out = [line for line in lines if line.startswith("orchestrator__welcome_and_account --> orchestrator__compensating")]
    assert len(timed_out) == 1 and timed_out[0].split(": ")[1].startswith("a timer ×")
    assert any(line.startswith("accounts__open --> accounts__closed: CloseAccount") for line in lines)


def test_the_same_run_draws_the_same_text_and_counts_can_be_left_out():
    first = state_network(onboarding_flow(users=5, seed=2).run(), counts=False)
    second = state_network(onboarding_flow(users=5, seed=2).run(), counts=False)
    assert first.source == second.source and "×" not in first.source
    only = state_network(onboarding_flow(users=5, seed=2).run(), components=["accounts"])
    assert "c_users" not in only.source and "c_accounts" in only.source
