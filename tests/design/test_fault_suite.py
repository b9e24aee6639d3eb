import pytest

from playground.design.faults import SUITE_NAMES, fault_suite
from playground.runtime.fault_rules import Drop, FailCalls


def test_the_suite_is_named_and_placed_inside_the_workload(specs):
    spec = specs["checkout"]
    suite = fault_suite(spec, instances=40, rate=1.0)
    assert tuple(suite) == SUITE_NAMES
    (window,) = suite["outage"].outages["payments"]     # the entry's slowest capability
    assert window == pytest.approx((40 / 3, 40 / 3 + 2 * spec.entry.deadline), abs=1e-6)
    assert suite["crash"].crashes == {"orders": [(20.0, 21.0)]}
    (lost,) = suite["lost reply"].messages
    assert isinstance(lost, Drop) and lost.type == "ReserveDone"
    assert [(r.component, r.command) for r in suite["failure after work"].failures] == [
        ("orders", "Place"), ("inventory", "Reserve"), ("payments", "Charge")]
    assert all(isinstance(r, FailCalls) and r.after_work for r in suite["failure after work"].failures)


def test_without_a_deadline_the_outage_lasts_forty_calls(specs):
    spec = specs["pipeline"]
    (window,) = fault_suite(spec, instances=30, rate=0.5)["outage"].outages["cleaning"]
    assert window[1] - window[0] == 40 * 1.0
