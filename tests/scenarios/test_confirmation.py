import pytest

from playground.analysis.windows import finished_between
from playground.errors import ScenarioError
from playground.runtime.faults import FaultPlan
from playground.scenarios.confirmation import confirmation_flow, confirming_saga

DOWN = FaultPlan(outages={"email": [(20, 50)]})


def test_the_orchestrated_order_waits_for_its_confirmation_and_the_choreographed_one_does_not():
    chor = confirmation_flow(orders=80, seed=6, faults=DOWN).run()
    orch = confirmation_flow(orders=80, seed=6, faults=DOWN, wiring="orchestration").run()
    assert chor.counts() == orch.counts() == {"completed": 80}
    assert finished_between(chor, 20, 50) > 20 and finished_between(orch, 20, 50) == 0
    assert len(chor.services["email"].sent) == len(orch.services["email"].sent) == 80


def test_a_deadline_on_the_confirmation_undoes_orders_and_the_late_email_still_goes_out():
    strict = confirmation_flow(orders=80, seed=6, faults=DOWN, wiring="orchestration", email_timeout=10).run()
    cancelled = {o for o, outcome in strict.outcomes.items() if outcome == "cancelled"}
    assert cancelled
    refunded = {e.correlation_id for e in strict.trace.where(kind="effect", at="payments") if e.detail["effect"] == "refund"}
    emailed = {e.correlation_id for e in strict.trace.where(kind="effect", at="email")}
    assert refunded == cancelled and cancelled <= emailed
    assert confirming_saga(email_timeout=10).stage_names[-2:] == ["confirm", "complete"]


def test_a_bad_timeout_gets_one_sentence():
    with pytest.raises(ScenarioError, match="email_timeout must be a number greater than 0"):
        confirmation_flow(email_timeout=-1)
