"""FaultPlan(amnesia=...): a crash that is a real process restart loses a service's memory, in both wirings."""

import pytest

from playground.analysis.invariants import effects_at_most_once
from playground.errors import ScenarioError
from playground.runtime.fault_rules import FailCalls
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow
from playground.services import Payments

WIRINGS = ["choreography", "orchestration"]
#: Payments dies after charging and before acknowledging, on one charge in ten.
DIES = [FailCalls("payments", command="ChargePayment", after_work=True, fraction=0.1)]


def restarts(result):
    return [e for e in result.trace.where(kind="fault", at="payments") if e.detail["fault"] == "restart"]


@pytest.mark.parametrize("wiring", WIRINGS)
def test_a_restart_that_forgets_charges_again_what_a_kept_memory_would_skip(wiring):
    kept = order_flow(orders=60, seed=8, wiring=wiring, faults=FaultPlan(failures=DIES)).run()
    forgot = order_flow(orders=60, seed=8, wiring=wiring, faults=FaultPlan(failures=DIES, amnesia=["payments"])).run()
    assert effects_at_most_once(kept) == [] and restarts(kept) == []
    twice = {v.correlation_id for v in effects_at_most_once(forgot)}
    assert twice and len(twice) <= len(restarts(forgot))
    for entry in restarts(forgot):
        assert entry.detail["memory"] == "lost" and entry.type in ("ChargePayment", "InvoiceCreated")
    # every order charged twice was the one in hand when payments died
    assert twice <= {e.correlation_id for e in restarts(forgot)}


def test_a_crash_window_restarts_the_service_once_before_its_next_message():
    plan = FaultPlan(crashes={"payments": [(20, 25), (40, 41)]}, amnesia=["payments"])
    result = order_flow(orders=60, seed=8, faults=plan).run()
    entries = restarts(result)
    assert [e.detail["why"] for e in entries] == ["crashed at 20 s", "crashed at 40 s"]
    assert entries[0].time >= 25 and entries[1].time >= 41 and entries[0].correlation_id is None
    # what it charged before the first crash is gone from its memory, what came after is there
    charged = {e.correlation_id: e.time for e in result.trace.where(kind="effect", at="payments")}
    memory = set(result.services["payments"].charges)
    assert memory == {order for order, time in charged.items() if time >= entries[1].time}


def test_restart_rebuilds_the_same_object_from_its_constructor():
    payments = Payments(latency=0.2, decline_rate=0.5)
    payments.charges["o1"] = {"payment_id": "pay-o1", "amount": 1.0, "refunded": False}
    payments.catalog = catalog = object()
    payments.restart()
    assert payments.charges == {} and payments.decline_rate == 0.5 and payments.catalog is catalog


def test_amnesia_for_a_component_the_scenario_does_not_have_is_refused():
    with pytest.raises(ScenarioError, match="paymnets"):
        order_flow(orders=5, seed=1, faults=FaultPlan(amnesia=["paymnets"])).run()
    assert "amnesia=['payments']" in repr(FaultPlan(amnesia="payments"))
