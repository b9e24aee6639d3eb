"""A learner's session as a state machine: place work, add faults, crash the orchestrator, and re-run.

Each step changes the case (more transactions, one more fault, a crash
window, a different store) and runs it again from scratch on simulated time;
the promises are checked after every step, so hypothesis shrinks a failure
to the shortest sequence of changes that breaks one.
"""

from dataclasses import replace

from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from playground.testing.cases import SCENARIOS, Case, verdict
from playground.testing.strategies import budget, failures, message_rules, windows


class Session(RuleBasedStateMachine):
    @initialize(scenario=st.sampled_from(sorted(SCENARIOS)), wiring=st.sampled_from(["choreography", "orchestration"]),
                seed=st.integers(0, 1000))
    def begin(self, scenario, wiring, seed):
        wiring = wiring if wiring in SCENARIOS[scenario]["wirings"] else "orchestration"
        store = "sqlite" if wiring == "orchestration" else "memory"
        self.case = Case(scenario, wiring, seed=seed, size=2, store=store)
        self.services = SCENARIOS[scenario]["services"]

    def _with(self, key, value):
        faults = dict(self.case.faults)
        faults[key] = value
        self.case = replace(self.case, faults=faults)

    @rule(more=st.integers(1, 3))
    def place_more(self, more):
        self.case = replace(self.case, size=self.case.size + more)

    @rule(data=st.data())
    def add_a_message_fault(self, data):
        self._with("messages", [*self.case.faults.get("messages", []), data.draw(message_rules(lossy=True))])

    @rule(data=st.data())
    def fail_a_call(self, data):
        self._with("failures", [*self.case.faults.get("failures", []), data.draw(failures(self.services))])

    @rule(data=st.data())
    def take_a_service_down(self, data):
        kind = data.draw(st.sampled_from(["outages", "crashes"]))
        table = dict(self.case.faults.get(kind, {}))
        table[data.draw(st.sampled_from(self.services))] = data.draw(windows())
        self._with(kind, table)

    @rule(data=st.data())
    def crash_the_orchestrator(self, data):
        if self.case.wiring == "orchestration":
            table = dict(self.case.faults.get("crashes", {}))
            table["orchestrator"] = data.draw(windows())
            self._with("crashes", table)

    @rule(store=st.sampled_from(["sqlite", "memory"]))
    def keep_instances_in(self, store):
        if self.case.wiring == "orchestration":
            self.case = replace(self.case, store=store)

    @invariant()
    def promises_hold(self):
        note(self.case.snippet())
        problems = verdict(self.case.run(), lossy=self.case.lossy)
        assert not problems, f"{problems[0]}\nreproduce with:\n{self.case.snippet()}"


Session.TestCase.settings = settings(budget(0.15), stateful_step_count=4)
test_a_session_of_changes_keeps_every_promise = Session.TestCase
