"""Welcomed to a closed account: found from the trace, and absent when nothing gives up."""

from playground.analysis.onboarding import welcomed_to_a_closed_account
from playground.runtime.faults import FaultPlan
from playground.scenarios import onboarding_flow

OUTAGE = FaultPlan(outages={"email": [(10, 25)]})


def test_a_welcome_deadline_shorter_than_an_email_outage_welcomes_users_to_closed_accounts():
    result = onboarding_flow(users=30, seed=7, wiring="orchestration", welcome_timeout=5, faults=OUTAGE).run()
    found = welcomed_to_a_closed_account(result)
    closed = {u for u, s in result.services["accounts"].accounts.items() if s == "closed"}
    assert found and {v.correlation_id for v in found} == closed
    for v in found:
        entries = {result.trace.entries[s].kind: result.trace.entries[s] for s in v.evidence}
        close, email = entries["state"], entries["effect"]
        assert close.detail["to"] == "closed" and email.detail["key"] == f"welcome:{v.correlation_id}"
        assert ("after" if email.time > close.time else "before") + " their account was closed" in v.message
    # the outage outlasted most deadlines: most of those welcomes went out after the account was closed
    assert sum("after their" in v.message for v in found) > len(found) / 2


def test_without_a_deadline_or_without_a_process_nobody_is_welcomed_to_a_closed_account():
    for params in ({"wiring": "orchestration"}, {"wiring": "choreography"}):
        result = onboarding_flow(users=30, seed=7, faults=OUTAGE, **params).run()
        assert welcomed_to_a_closed_account(result) == []
        assert result.counts() == {"onboarded": 30}
