"""Why a transaction never ended, read from the trace: drops, dead letters, memory lost in a crash."""

from playground.analysis.stuck import stuck
from playground.orchestration.saga import Retry
from playground.runtime.fault_rules import Drop
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow, travel_booking


def test_a_finished_run_has_nothing_stuck(small_run):
    assert stuck(small_run) == {}


def test_a_dropped_reply_strands_an_orchestrated_order_and_the_run_ends_instead_of_waiting_for_its_horizon():
    plan = FaultPlan(messages=[Drop(type="PaymentReceived", nth=2)])
    result = order_flow(orders=4, seed=2, wiring="orchestration", faults=plan).run()
    assert result.counts()["unfinished"] == 1
    (order, why), = stuck(result).items()
    assert why.startswith("PaymentReceived to orchestrator was dropped at ")
    assert result.finished_at < 60  # not the horizon of an hour and more


def test_a_dead_letter_is_quoted_with_its_reason():
    result = order_flow(orders=5, seed=4, malformed=1).run()
    (why,) = stuck(result).values()
    assert "was dead-lettered at" in why and "amount" in why


def test_a_memory_only_orchestrator_crash_is_named_as_the_cause():
    result = travel_booking(trips=12, seed=3, rate=2.0, timeout=3.0, retry=Retry(count=1, backoff=0.5),
                            faults=FaultPlan(crashes={"orchestrator": [(2.0, 5.0)]})).run()
    reasons = stuck(result)
    assert reasons and all("crashed at 2.00 s" in why and "only in memory" in why for why in reasons.values())
