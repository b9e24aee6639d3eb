import pytest

from playground.analysis.invariants import check
from playground.errors import ScenarioError
from playground.runtime.faults import FaultPlan
from playground.scenarios import onboarding_flow

OUTAGE = FaultPlan(outages={"email": [(10.0, 40.0)]})


@pytest.mark.parametrize("wiring", ["orchestration", "choreography"])
def test_every_user_is_welcomed_and_gets_an_account(wiring):
    result = onboarding_flow(users=30, seed=4, wiring=wiring).run()
    assert result.counts() == {"onboarded": 30}
    assert len(result.services["accounts"].accounts) == 30
    assert len(result.services["email"].sent) == 30


def test_the_orchestrated_process_has_one_end_per_user_and_runs_welcome_and_account_in_parallel():
    result = onboarding_flow(users=20, seed=4, wiring="orchestration").run()
    ends = [e.correlation_id for e in result.trace.where(kind="send", type="SagaCompleted")]
    assert sorted(ends) == sorted(result.outcomes)
    for user in result.outcomes:
        sent = {e.type: e.time for e in result.trace.where(kind="send", at="orchestrator", correlation_id=user)}
        assert sent["SendWelcome"] == sent["OpenAccount"]
    assert check(result, "one-terminal-state")["one-terminal-state"] == []


def test_the_choreography_has_no_process_only_two_parts_per_user():
    result = onboarding_flow(users=10, seed=4, wiring="choreography").run()
    assert not result.trace.where(at="orchestrator")
    for user in result.outcomes:
        parts = {e.type for e in result.trace.where(kind="send", correlation_id=user)} & set(result.terminals)
        assert parts == {"WelcomeEmailSent", "AccountCreated"}


def test_an_email_outage_delays_the_choreography_but_a_welcome_deadline_rolls_orchestrated_users_back():
    choreographed = onboarding_flow(users=40, seed=4, faults=OUTAGE).run()
    assert choreographed.counts() == {"onboarded": 40}
    orchestrated = onboarding_flow(users=40, seed=4, wiring="orchestration", welcome_timeout=5.0, faults=OUTAGE).run()
    counts = orchestrated.counts()
    assert counts["compensated"] > 0 and counts["onboarded"] > 0
    accounts = orchestrated.services["accounts"].accounts
    rolled_back = [u for u, o in orchestrated.outcomes.items() if o == "compensated"]
    assert all(accounts[u] == "closed" for u in rolled_back)
    late = [d for d in orchestrated.dead_letters if d.envelope.type == "WelcomeEmailSent"]
    assert {d.envelope.correlation_id for d in late} == set(rolled_back)  # welcomed anyway, after the deadline


def test_bad_parameters_get_one_clear_sentence():
    with pytest.raises(ScenarioError, match="welcome_timeout must be a number greater than 0"):
        onboarding_flow(welcome_timeout=-1)
    with pytest.raises(ScenarioError, match="no wiring called 'committee'"):
        onboarding_flow(wiring="committee")


def test_a_saga_of_your_own_runs_instead_of_the_generated_one_and_bad_combinations_are_refused():
    from playground.errors import ScenarioError
    from playground.flows.onboarding import onboarding_saga
    from playground.orchestration.saga import SagaDefinition, Step
    from playground.scenarios import onboarding_flow

    same = onboarding_flow(users=10, seed=3, wiring="orchestration", saga=onboarding_saga()).run()
    assert same.trace.digest() == onboarding_flow(users=10, seed=3, wiring="orchestration").run().trace.digest()
    only_user = SagaDefinition("onboarding", [Step("user", "RegisterUser", compensation_required=False)],
                               started_by="UserCreated")
    bare = onboarding_flow(users=10, seed=3, wiring="orchestration", saga=only_user).run()
    assert not bare.trace.where(kind="send", type="SendWelcome")
    for kwargs, says in (({"wiring": "choreography"}, "needs wiring='orchestration'"),
                         ({"wiring": "orchestration", "welcome_timeout": 5}, "Give saga= or welcome_timeout="),
                         ({"wiring": "orchestration", "saga": "onboarding"}, "takes a SagaDefinition")):
        with pytest.raises(ScenarioError, match=says):
            onboarding_flow(users=1, **{"saga": only_user, **kwargs})
