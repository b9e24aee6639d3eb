"""Chapter 02's claims (process or state), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest
from learner_code import onboarding_machine

from transitions import Machine

from playground import (Duplicate, local_states, machine_summary, onboarding_flow, onboarding_saga, saga_machine,
                        welcomed_to_a_closed_account)
from playground.runtime.faults import FaultPlan

CH02 = {"users": 60, "seed": 7}
CH02_OUTAGE = (20, 50)


@pytest.fixture(scope="module")
def ch02_runs():
    from playground.scenarios import onboarding_flow

    outage = FaultPlan(outages={"email": [CH02_OUTAGE]})
    return {
        "process": onboarding_flow(**CH02, wiring="orchestration").run(),
        "network": onboarding_flow(**CH02, wiring="choreography").run(),
        "process_down": onboarding_flow(**CH02, wiring="orchestration", faults=outage).run(),
        "network_down": onboarding_flow(**CH02, wiring="choreography", faults=outage).run(),
    }


def test_ch02_the_saga_sends_the_welcome_and_the_account_together_once_the_user_exists(ch02_runs):
    from playground.wiring.orchestration import onboarding_saga

    assert onboarding_saga().stage_names == ["user", "welcome_and_account"]
    sends = ch02_runs["process"].trace.story("user-0001", kinds=("send",))
    together = [e for e in sends if e.type in ("SendWelcome", "OpenAccount")]
    assert len(together) == 2 and together[0].time == together[1].time
    assert together[0].causation_id == together[1].causation_id == next(e for e in sends if e.type == "UserCreated").message_id


def test_ch02_both_wirings_onboard_everyone_and_the_process_costs_more_messages(ch02_runs):
    for key in ("process", "network", "process_down", "network_down"):
        assert ch02_runs[key].counts() == {"onboarded": 60}
    assert ch02_runs["process"].trace.kinds()["send"] > ch02_runs["network"].trace.kinds()["send"]


def test_ch02_in_the_network_nobody_hears_the_events_that_finish_onboarding(ch02_runs):
    network = ch02_runs["network"]
    finals = [e for e in network.trace.where(kind="send") if e.type in ("WelcomeEmailSent", "AccountCreated")]
    assert len(finals) == 120 and all(e.detail["to"] == [] for e in finals)
    assert not network.trace.where(at="orchestrator")


def test_ch02_the_network_is_two_small_machines_and_a_stateless_email_service(ch02_runs):
    from playground.analysis.local_states import local_machines
    from playground.viz.state_network import state_network

    machines = local_machines(ch02_runs["network"])
    assert {n: m.states for n, m in machines.items()} == {"users": ["registered"], "accounts": ["open"]}
    assert 'state "email (keeps no state)" as c_email' in state_network(ch02_runs["network"]).source
    assert "c_orchestrator" in state_network(ch02_runs["process"]).source


def test_ch02_in_the_outage_only_the_process_knows_that_user_25_is_waiting_for_its_welcome(ch02_runs):
    from playground.analysis.local_states import local_states

    assert local_states(ch02_runs["network_down"], "user-0025", at=35) == {"users": "registered", "accounts": "open"}
    assert local_states(ch02_runs["process_down"], "user-0025", at=35)["orchestrator"] == "welcome_and_account"
    welcomed = [e.time for e in ch02_runs["network_down"].trace.where(kind="send", type="WelcomeEmailSent",
                                                                      correlation_id="user-0025")]
    assert welcomed and welcomed[0] >= CH02_OUTAGE[1]  # its welcome really was waiting


# -- backstage: the saga's transitions machine, and one written by hand ------------------------------
def test_ch02_the_generated_machine_has_seven_states_and_generic_triggers_and_a_deadline_adds_time_out():
    summary = machine_summary(saga_machine(onboarding_saga()))
    assert len(summary["states"]) == 7 and summary["triggers"] == ["start", "done", "fail", "retry", "undone", "give_up"]
    with_deadline = machine_summary(saga_machine(onboarding_saga(welcome_timeout=5)))
    assert set(with_deadline["triggers"]) - set(summary["triggers"]) == {"time_out"}


def test_ch02_by_hand_everyone_is_onboarded_with_six_messages_a_user_against_seven_and_four():
    runs = {name: onboarding_flow(users=60, seed=7, wiring=wiring, machine=machine).run()
            for name, wiring, machine in (("generated", "orchestration", None),
                                          ("by hand", "orchestration", onboarding_machine),
                                          ("network", "choreography", None))}
    assert all(run.counts() == {"onboarded": 60} for run in runs.values())
    sent = {name: run.trace.kinds()["send"] / 60 for name, run in runs.items()}
    assert sent == {"generated": 7, "by hand": 6, "network": 4}


def test_ch02_a_repeated_reply_after_onboarding_is_parked_with_the_fix_and_the_answer_accepts_it():
    twice = FaultPlan(messages=[Duplicate(type="AccountCreated", inbox="orchestrator", fraction=0.5)])
    repeated = onboarding_flow(users=60, seed=7, wiring="orchestration", machine=onboarding_machine,
                               faults=twice).run()
    assert repeated.counts() == {"onboarded": 60} and len(repeated.dead_letters) == 6
    assert all("is in state 'onboarded', where the machine has no transition for AccountCreated" in d.reason
               for d in repeated.dead_letters)

    def answer(user):
        machine = onboarding_machine(user)
        machine.add_transition("AccountCreated", "onboarded", None)
        return machine

    fixed = onboarding_flow(users=60, seed=7, wiring="orchestration", machine=answer, faults=twice).run()
    assert fixed.counts() == {"onboarded": 60} and not fixed.dead_letters


def test_ch02_the_trace_shows_33_repeats_of_which_only_the_6_after_the_join_are_parked():
    twice = FaultPlan(messages=[Duplicate(type="AccountCreated", inbox="orchestrator", fraction=0.5)])
    repeated = onboarding_flow(**CH02, wiring="orchestration", machine=onboarding_machine, faults=twice).run()
    doubled = {e.correlation_id for e in repeated.trace.where(kind="fault")}
    parked = [d.envelope.correlation_id for d in repeated.dead_letters]
    assert (len(doubled), len(parked)) == (33, 6) and set(parked) <= doubled and parked[0] == "user-0015"

    def welcome_first(user):
        sends = repeated.trace.where(kind="send", correlation_id=user)
        at = {e.type: e.seq for e in sends if e.type in ("WelcomeEmailSent", "AccountCreated")}
        return at["WelcomeEmailSent"] < at["AccountCreated"]

    # the parked repeats came after the join (the welcome was in first); the other 27 while the user still waited
    assert {u for u in doubled if welcome_first(u)} == set(parked)
    story = repeated.trace.story("user-0015", kinds=("send", "fault", "deliver", "state", "dead_letter"))
    account = [e.kind for e in story if e.type == "AccountCreated"]
    assert account == ["send", "fault", "deliver", "state", "deliver", "dead_letter"]
    assert [e.detail["to"] for e in story if e.kind == "state" and e.type == "AccountCreated"] == ["onboarded"]


def test_ch02_the_welcome_usually_answers_second_so_it_finishes_the_stage_for_51_users(ch02_runs):
    from collections import Counter

    process = ch02_runs["process"]
    replies = ("WelcomeEmailSent", "AccountCreated")
    second = Counter(max((e for e in process.trace.where(kind="send", correlation_id=u) if e.type in replies),
                         key=lambda e: e.seq).type for u in process.outcomes)
    assert second == {"WelcomeEmailSent": 51, "AccountCreated": 9}
    source = state_network_text(process).source
    assert "--> orchestrator__completed: WelcomeEmailSent ×51" in source
    assert "--> orchestrator__completed: AccountCreated ×9" in source
    asked = {e.message_id: e.time for e in process.trace.where(kind="send") if e.type in ("SendWelcome", "OpenAccount")}
    took = {r: [e.time - asked[e.causation_id] for e in process.trace.where(kind="send", type=r)] for r in replies}
    assert sum(took["WelcomeEmailSent"]) / 60 > sum(took["AccountCreated"]) / 60


def state_network_text(run):
    from playground.viz.state_network import state_network

    return state_network(run)


def test_ch02_the_learner_writes_the_saga_the_starter_sends_nothing_and_the_answer_is_onboarding_saga(ch02_runs):
    from playground.orchestration.saga import SagaDefinition, Step

    starter = SagaDefinition("onboarding", [Step("user", "RegisterUser", compensation_required=False)],
                             started_by="UserCreated")
    nothing = onboarding_flow(**CH02, wiring="orchestration", saga=starter).run()
    assert not nothing.trace.where(kind="send", type="SendWelcome") and starter.compensable == []
    answer = SagaDefinition("onboarding", [
        Step("user", "RegisterUser", compensation_required=False),
        [Step("welcome", "SendWelcome", compensation_required=False), Step("account", "OpenAccount", "CloseAccount")],
    ], started_by="UserCreated")
    written = onboarding_flow(**CH02, wiring="orchestration", saga=answer).run()
    assert written.trace.digest() == ch02_runs["process"].trace.digest()
    assert [answer.steps[n].action for n in answer.compensable] == ["OpenAccount"]


def eager_machine(user):
    """Exercise 4: onboarding_machine without its join condition."""
    return Machine(model=user, initial="new", auto_transitions=False,
                   states=["new", "welcome_and_account", "onboarded"],
                   transitions=[
                       {"trigger": "UserCreated", "source": "new", "dest": "welcome_and_account",
                        "after": [lambda e: user.send("SendWelcome"), lambda e: user.send("OpenAccount")]},
                       {"trigger": "WelcomeEmailSent", "source": "welcome_and_account", "dest": "onboarded"},
                       {"trigger": "AccountCreated", "source": "welcome_and_account", "dest": "onboarded"},
                   ])


def finished_by(run):
    """Which reply came second, and so finished the parallel stage, for each user."""
    replies = ("WelcomeEmailSent", "AccountCreated")
    return {u: max((e for e in run.trace.where(kind="send", correlation_id=u) if e.type in replies),
                   key=lambda e: e.seq).type for u in run.outcomes}


def test_ch02_exercise_answers_hold(ch02_runs):
    from collections import Counter

    outage = FaultPlan(outages={"email": [CH02_OUTAGE]})
    # 1: after the outage the network's answer is unchanged, the process says completed
    assert local_states(ch02_runs["network_down"], "user-0025", at=60) == {"users": "registered", "accounts": "open"}
    assert local_states(ch02_runs["process_down"], "user-0025", at=60)["orchestrator"] == "completed"
    (welcomed,) = [e.time for e in ch02_runs["network_down"].trace.where(kind="send", type="WelcomeEmailSent",
                                                                         correlation_id="user-0025")]
    assert f"{welcomed:.2f}" == "50.52"
    # 2: the welcome finished the stage for 57 users in the outage; all 19 who signed up in it, and six changed sides
    down, calm = finished_by(ch02_runs["process_down"]), finished_by(ch02_runs["process"])
    assert Counter(down.values()) == {"WelcomeEmailSent": 57, "AccountCreated": 3}
    assert "--> orchestrator__completed: WelcomeEmailSent ×57" in state_network_text(ch02_runs["process_down"]).source
    created = {e.correlation_id: e.time for e in ch02_runs["process_down"].trace.where(kind="send", type="UserCreated")}
    during = {u for u, t in created.items() if CH02_OUTAGE[0] <= t < CH02_OUTAGE[1]}
    assert len(during) == 19 and all(down[u] == "WelcomeEmailSent" for u in during)
    changed = {u for u in down if down[u] != calm[u]}
    assert all(down[u] == "WelcomeEmailSent" for u in changed)
    after = changed - during
    assert len(changed & during) == 5 and len(after) == 1
    trace = ch02_runs["process_down"].trace
    began = {e.message_id: e.time for e in trace.where(kind="start", at="email")}
    for u in after:  # it signed up after the outage, while welcomes sent before it still waited at email
        queued = [e for e in trace.where(kind="send", type="SendWelcome") if e.time < created[u] < began[e.message_id]]
        assert created[u] >= CH02_OUTAGE[1] and queued
    # 4: a join that does not wait: every user "onboarded" at the first reply, every second reply parked
    eager = onboarding_flow(**CH02, wiring="orchestration", machine=eager_machine, faults=outage).run()
    assert eager.counts() == {"onboarded": 60}
    assert Counter(d.envelope.type for d in eager.dead_letters) == {"WelcomeEmailSent": 57, "AccountCreated": 3}
    assert local_states(eager, "user-0025", at=35)["orchestrator"] == "onboarded"
    (welcome,) = eager.trace.where(kind="send", type="WelcomeEmailSent", correlation_id="user-0025")
    assert welcome.time >= CH02_OUTAGE[1]  # the orchestrator said onboarded at 35 s; the welcome was still waiting
    # 5: a 5 s welcome deadline in the outage: every user it gave up on is welcomed to a closed account
    strict = onboarding_flow(**CH02, wiring="orchestration", faults=outage, welcome_timeout=5).run()
    assert strict.counts() == {"onboarded": 37, "compensated": 23}
    undone = {u for u, outcome in strict.outcomes.items() if outcome == "compensated"}
    assert {v.correlation_id for v in welcomed_to_a_closed_account(strict)} == undone
    for fixed in ("process_down", "network_down"):
        assert welcomed_to_a_closed_account(ch02_runs[fixed]) == []
