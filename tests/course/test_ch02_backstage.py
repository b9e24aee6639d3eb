"""Chapter 02's backstage section: the claims its prose makes about the saga's machine and one written by hand."""

from learner_code import onboarding_machine
from playground import Duplicate, FaultPlan, machine_summary, onboarding_flow, onboarding_saga, saga_machine


def test_ch02_the_generated_machine_has_seven_states_and_generic_triggers_and_strict_adds_time_out():
    summary = machine_summary(saga_machine(onboarding_saga()))
    assert len(summary["states"]) == 7 and summary["triggers"] == ["start", "done", "fail", "retry", "undone", "give_up"]
    strict = machine_summary(saga_machine(onboarding_saga(welcome_timeout=5)))
    assert set(strict["triggers"]) - set(summary["triggers"]) == {"time_out"}


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
