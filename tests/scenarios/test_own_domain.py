"""A domain of one's own, built only from the front door: insurance claims in both wirings, with faults.

Nothing here touches the package: the messages live in a run-scoped catalog,
the services, reaction table, saga (with its compensations' replies) and
scenario are defined below, outcomes come from the trace, a custom invariant
goes to ``check()``, and one fault rule hits both wirings the same way.
Run as a script it prints each wiring's trace digest (the determinism test
starts it in another process with another hash seed).
"""

import os
import subprocess
import sys

import pytest

from playground import (FailCalls, FaultPlan, MessageSpec, SagaDefinition, SagaDefinitionError, Scenario, Service,
                        Step, check, choreograph, domain_catalog, emit, handles, orchestrate)

S, N = str, float


def claims_catalog():
    def command(name, owner, fields, meaning):
        return MessageSpec(name, "command", owner, fields, meaning)

    def event(name, owner, fields, meaning):
        return MessageSpec(name, "event", owner, fields, meaning)

    return domain_catalog(
        command("FileClaim", "claims", {"claim_id": S, "customer": S, "amount": N}, "A customer files a claim."),
        command("DenyClaim", "claims", {"claim_id": S}, "Close a claim without paying."),
        command("SettleClaim", "claims", {"claim_id": S}, "Close a paid claim."),
        event("ClaimFiled", "claims", {"claim_id": S, "customer": S, "amount": N}, "A claim was filed."),
        event("ClaimDenied", "claims", {"claim_id": S}, "A claim was closed unpaid."),
        event("ClaimSettled", "claims", {"claim_id": S}, "A claim was paid and closed."),
        command("AssessClaim", "assessors", {"claim_id": S, "amount": N}, "Decide what a claim is worth."),
        command("WithdrawAssessment", "assessors", {"claim_id": S}, "Take an assessment back."),
        event("ClaimAssessed", "assessors", {"claim_id": S, "payout": N}, "A claim is worth paying."),
        event("ClaimRejected", "assessors", {"claim_id": S, "reason": S}, "A claim is not covered."),
        event("AssessmentWithdrawn", "assessors", {"claim_id": S}, "An assessment was taken back."),
        command("PayClaim", "payouts", {"claim_id": S, "payout": N}, "Transfer the payout."),
        event("ClaimPaid", "payouts", {"claim_id": S, "payout": N}, "The payout was transferred."),
        event("PayoutFailed", "payouts", {"claim_id": S, "reason": S}, "The bank refused the transfer."),
    )


class Claims(Service):
    name = "claims"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.state = {}

    @handles("FileClaim")
    def file(self, claim_id, customer, amount):
        self.state[claim_id] = "open"
        return [emit("ClaimFiled", claim_id=claim_id, customer=customer, amount=amount)]

    @handles("DenyClaim")
    def deny(self, claim_id):
        self.state[claim_id] = "denied"
        return [emit("ClaimDenied", claim_id=claim_id)]

    @handles("SettleClaim")
    def settle(self, claim_id):
        self.state[claim_id] = "settled"
        return [emit("ClaimSettled", claim_id=claim_id)]


class Assessors(Service):
    name = "assessors"

    @handles("AssessClaim")
    def assess(self, claim_id, amount):
        if amount > 900:
            return [emit("ClaimRejected", claim_id=claim_id, reason="above the policy limit")]
        return [emit("ClaimAssessed", claim_id=claim_id, payout=round(amount * 0.8, 2))]

    @handles("WithdrawAssessment")
    def withdraw(self, claim_id):
        return [emit("AssessmentWithdrawn", claim_id=claim_id)]


class Payouts(Service):
    """Idempotent by claim: a repeated PayClaim re-announces the payment instead of paying again."""

    name = "payouts"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.paid = {}

    @handles("PayClaim")
    def pay(self, claim_id, payout):
        if payout > 600:
            return [emit("PayoutFailed", claim_id=claim_id, reason="above the daily transfer limit")]
        if claim_id not in self.paid:
            self.paid[claim_id] = payout
            self.note_effect("payout", claim_id, amount=payout)
        return [emit("ClaimPaid", claim_id=claim_id, payout=self.paid[claim_id])]


REACTIONS = {
    "claims": {"ClaimPaid": "SettleClaim", "PayoutFailed": "DenyClaim", "ClaimRejected": "DenyClaim"},
    "assessors": {"ClaimFiled": "AssessClaim", "PayoutFailed": "WithdrawAssessment"},
    "payouts": {"ClaimAssessed": "PayClaim"},
}


def claim_saga(catalog):
    return SagaDefinition("claim", [
        Step("file", "FileClaim", "DenyClaim", done=("ClaimFiled",), undone=("ClaimDenied",)),
        Step("assess", "AssessClaim", "WithdrawAssessment", done=("ClaimAssessed",), failed=("ClaimRejected",),
             undone=("AssessmentWithdrawn",)),
        Step("pay", "PayClaim", compensation_required=False, done=("ClaimPaid",), failed=("PayoutFailed",)),
        Step("settle", "SettleClaim", compensation_required=False, done=("ClaimSettled",)),
    ], started_by="ClaimFiled", catalog=catalog)


def choreographed(scenario, bus, services, randomness):
    choreograph(bus, services, REACTIONS, randomness)


def orchestrated(scenario, bus, services, randomness):
    scenario.run_extras["orchestrator"] = orchestrate(bus, services, [claim_saga(scenario.catalog)], randomness)


orchestrated.components = {"orchestrator"}


class ClaimFlow(Scenario):
    name = "claims"
    unit = "claims"
    start_event = "FileClaim"
    terminals = {"ClaimSettled": "settled", "ClaimDenied": "denied"}
    wirings = {"choreography": choreographed, "orchestration": orchestrated}
    catalog = claims_catalog()

    def __init__(self, *, claims=40, seed=0, wiring="choreography", faults=None, direct=False):
        super().__init__(seed=seed, wiring=wiring, horizon=None, faults=faults)
        self.claims, self.direct = claims, direct

    def build_services(self, randomness):
        return {"claims": Claims(latency=0.05), "assessors": Assessors(latency=0.5), "payouts": Payouts(latency=0.2)}

    async def drive(self, bus, randomness):
        rng = randomness.stream("workload")
        for i in range(self.claims):
            await bus.sleep(rng.expovariate(0.5))
            claim = f"claim-{i + 1:03d}"
            payload = {"claim_id": claim, "customer": f"customer-{rng.randrange(1, 20):02d}",
                       "amount": round(rng.uniform(50, 1000), 2)}
            if self.direct:  # no bookkeeping at all: the outcomes are found in the trace
                bus.publish(bus.message("FileClaim", payload, sender="customers", correlation_id=claim))
            else:
                self.begin(bus, "FileClaim", payload, id=claim, sender="customers")


def paid_claims_settled_once(result):
    """Every settled claim was paid exactly once; no denied claim was paid."""
    paid = {}
    for e in result.trace.where(kind="effect"):
        if e.detail["effect"] == "payout":
            paid[e.detail["key"]] = paid.get(e.detail["key"], 0) + 1
    found = [f"{claim} was paid {n} times" for claim, n in paid.items() if n > 1]
    for claim, outcome in result.outcomes.items():
        if outcome == "settled" and claim not in paid:
            found.append(f"{claim} was settled but never paid")
        if outcome == "denied" and claim in paid:
            found.append(f"{claim} was denied but paid")
    return found


#: One rule for both wirings: the 2nd and 5th payouts fail after the money moved (so they come back).
FLAKY_BANK = FaultPlan(failures=[FailCalls("payouts", command="PayClaim", nth=(2, 5), after_work=True)])


def test_the_domain_runs_in_both_wirings_with_faults_and_its_own_invariant_holds():
    runs = {w: ClaimFlow(seed=4, wiring=w, faults=FLAKY_BANK).run() for w in ("choreography", "orchestration")}
    assert runs["choreography"].outcomes == runs["orchestration"].outcomes
    counts = runs["choreography"].counts()
    assert counts["settled"] > 0 and counts["denied"] > 0 and sum(counts.values()) == 40
    for result in runs.values():
        hits = [e for e in result.trace.where(kind="fault", at="payouts") if e.detail.get("fault") == "fail"]
        assert len(hits) == 2  # the same rule hit a command in one wiring, an event in the other
        verdict = check(result, invariants=[paid_claims_settled_once])
        assert verdict["paid-claims-settled-once"] == []
        assert all(not found for found in verdict.values())
    # the orchestrated compensation ran on the replies the steps were given (undone=)
    undone = runs["orchestration"].trace.where(kind="send", type="AssessmentWithdrawn")
    assert undone and not runs["orchestration"].dead_letters


def test_the_custom_invariant_catches_a_payout_service_that_is_not_idempotent():
    class CarelessPayouts(Payouts):
        @handles("PayClaim")
        def pay(self, claim_id, payout):
            if payout > 600:
                return [emit("PayoutFailed", claim_id=claim_id, reason="above the daily transfer limit")]
            self.note_effect("payout", claim_id, amount=payout)
            return [emit("ClaimPaid", claim_id=claim_id, payout=payout)]

    class CarelessFlow(ClaimFlow):
        def build_services(self, randomness):
            return {**super().build_services(randomness), "payouts": CarelessPayouts(latency=0.2)}

    for wiring in ("choreography", "orchestration"):
        found = check(CarelessFlow(seed=4, wiring=wiring, faults=FLAKY_BANK).run(),
                      invariants=[paid_claims_settled_once])["paid-claims-settled-once"]
        assert len(found) == 2 and all("was paid 2 times" in v.message for v in found)


def test_a_rule_by_message_type_hits_only_one_wiring_and_by_command_hits_both():
    by_type = FaultPlan(failures=[FailCalls("payouts", type="PayClaim", nth=1)])
    hits = {w: len(ClaimFlow(seed=4, wiring=w, faults=by_type).run().trace.where(kind="fault", at="payouts"))
            for w in ("choreography", "orchestration")}
    assert hits == {"choreography": 0, "orchestration": 1}


def test_outcomes_come_from_the_trace_when_the_workload_keeps_no_list():
    listed = ClaimFlow(claims=10, seed=2).run()
    direct = ClaimFlow(claims=10, seed=2, direct=True).run()
    assert direct.outcomes == listed.outcomes and len(direct.outcomes) == 10


def test_declaring_the_messages_again_with_a_change_works_and_leaves_the_global_catalog_alone():
    from playground import CATALOG

    first, second = claims_catalog(), claims_catalog()
    changed = domain_catalog(MessageSpec("FileClaim", "command", "claims", {"claim_id": S}, "Changed."))
    assert first["FileClaim"] == second["FileClaim"] != changed["FileClaim"]
    assert "FileClaim" not in CATALOG


def test_a_compensation_whose_replies_are_unknown_is_told_to_use_undone():
    with pytest.raises(SagaDefinitionError, match=r"give the step undone=\('SomethingDone',\)"):
        SagaDefinition("claim", [Step("assess", "AssessClaim", "WithdrawAssessment", done=("ClaimAssessed",))],
                       catalog=claims_catalog())


def _digests(seed):
    return {w: ClaimFlow(seed=seed, wiring=w, faults=FLAKY_BANK).run().trace.digest()
            for w in ("choreography", "orchestration")}


def test_the_domain_is_deterministic_per_seed_across_processes():
    here = _digests(9)
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    printed = subprocess.run([sys.executable, __file__, "9"], env=env, capture_output=True, text=True, timeout=120,
                             check=True).stdout.split()
    assert printed == [here["choreography"], here["orchestration"]]
    assert _digests(10) != here


if __name__ == "__main__":
    print(*_digests(int(sys.argv[1])).values())
