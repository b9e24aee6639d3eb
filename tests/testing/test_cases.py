"""The course's promises, searched for counterexamples over generated workloads and fault plans.

Per wiring, the CI profile draws 400 cases whose faults only delay or repeat
messages (every promise must hold in full) and 100 lossy ones (drops, a
memory-only orchestrator crashing: every transaction ends exactly once or is
reported stuck with a reason). A failure prints the shrunk case as a snippet.
"""

from hypothesis import given, note

from playground.testing.cases import verdict
from playground.testing.strategies import budget, cases


def keeps_its_promises(case):
    note(case.snippet())
    result = case.run()
    problems = verdict(result, lossy=case.lossy)
    assert not problems, f"{problems[0]}\nreproduce with:\n{case.snippet()}"


@given(case=cases(scenario="order", wiring="choreography"))
@budget(1.0)
def test_choreography_keeps_every_promise_when_no_message_can_be_lost(case):
    keeps_its_promises(case)


@given(case=cases(scenario="order", wiring="choreography", lossy=True))
@budget(0.25)
def test_choreography_reports_every_transaction_a_lost_message_stranded(case):
    keeps_its_promises(case)


@given(case=cases(wiring="orchestration"))
@budget(1.0)
def test_orchestration_keeps_every_promise_across_crashes_on_sqlite(case):
    keeps_its_promises(case)


@given(case=cases(wiring="orchestration", lossy=True))
@budget(0.25)
def test_orchestration_reports_every_transaction_a_lost_message_or_memory_crash_stranded(case):
    keeps_its_promises(case)
