"""Appendix 90 (a domain of your own): the claims its prose makes, on the notebook's own code.

The domain is defined in the notebook, through the front door only; this test
runs the notebook's code cells up to the exercises and checks what the text says.
"""

from pathlib import Path

import nbformat
import pytest

from playground import FailCalls, FaultPlan, SagaDefinition, Step, check

NOTEBOOK = Path(__file__).resolve().parents[2] / "course" / "90_appendix_your_own_domain.ipynb"


@pytest.fixture(scope="module")
def appendix():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    namespace: dict = {}
    for cell in cells:
        if cell.cell_type == "code" and "← change this line" not in cell.source and "hits = {}" not in cell.source:
            exec(compile(cell.source, str(NOTEBOOK), "exec"), namespace)
    return namespace


def _twice(run, ns):
    return [v.message for v in check(run, invariants=[ns["paid_claims_settled_once"]])["paid-claims-settled-once"]]


def test_ch90_both_wirings_end_every_claim_the_same_way(appendix):
    runs = appendix["runs"]
    assert runs["choreography"].outcomes == runs["orchestration"].outcomes
    assert runs["choreography"].counts() == {"settled": 30, "denied": 10}
    mine = [appendix["paid_claims_settled_once"]]
    assert all(not found for run in runs.values() for found in check(run, invariants=mine).values())


def test_ch90_the_flaky_bank_pays_two_claims_twice_in_each_wiring_and_the_fix_none(appendix):
    for run in appendix["broken"].values():
        assert _twice(run, appendix) == ["claim-002 was paid 2 times", "claim-004 was paid 2 times"]
    for run in appendix["fixed"].values():
        assert _twice(run, appendix) == [] and run.counts() == {"settled": 30, "denied": 10}


def test_ch90_a_rule_by_type_hits_one_wiring_and_by_command_both(appendix):
    def hits(rule):
        found = {}
        for wiring in ("choreography", "orchestration"):
            run = appendix["SafeClaimFlow"](seed=4, wiring=wiring, faults=FaultPlan(failures=[rule])).run()
            found[wiring] = sum(e.detail.get("fault") == "fail" for e in run.trace.where(kind="fault", at="payouts"))
        return found

    assert hits(FailCalls("payouts", type="PayClaim", nth=1)) == {"choreography": 0, "orchestration": 1}
    assert hits(FailCalls("payouts", command="PayClaim", nth=1)) == {"choreography": 1, "orchestration": 1}


def test_ch90_exercise_answers(appendix):
    flow = appendix["SafeClaimFlow"]
    down = FaultPlan(outages={"assessors": [(20, 40)]})
    paused = {w: flow(seed=4, wiring=w, faults=down).run() for w in ("choreography", "orchestration")}
    assert paused["choreography"].outcomes == paused["orchestration"].outcomes == appendix["fixed"]["choreography"].outcomes

    ns = appendix
    hasty = SagaDefinition("claim", [
        Step("file", "FileClaim", "DenyClaim", done=("ClaimFiled",), undone=("ClaimDenied",)),
        Step("assess", "AssessClaim", "WithdrawAssessment", done=("ClaimAssessed",), failed=("ClaimRejected",),
             undone=("AssessmentWithdrawn",)),
        Step("pay", "PayClaim", compensation_required=False, done=("ClaimPaid",), failed=("PayoutFailed",), timeout=2),
        Step("settle", "SettleClaim", compensation_required=False, done=("ClaimSettled",)),
    ], started_by="ClaimFiled", catalog=ns["CLAIMS"])

    class Slow(flow):
        def build_services(self, randomness):
            return {**super().build_services(randomness), "payouts": ns["IdempotentPayouts"](latency=3)}

    def wire(scenario, bus, services, randomness):
        scenario.run_extras["orchestrator"] = ns["orchestrate"](bus, services, [hasty], randomness)

    Slow.wirings = {"orchestration": wire}
    late = Slow(seed=4, wiring="orchestration").run()
    assert late.counts() == {"denied": 40}
    assert any(m.endswith("was denied but paid") for m in _twice(late, ns))
