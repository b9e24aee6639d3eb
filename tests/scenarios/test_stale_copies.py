import pytest

from playground.analysis.pitfalls import detect_stale_copies
from playground.errors import ScenarioError
from playground.runtime.fault_rules import Delay
from playground.runtime.faults import FaultPlan
from playground.scenarios.stale_copies import consumer_lag, stale_copies
from playground.services.credit import CheckingSales, Sales, VersionedSales

LAG = consumer_lag(seconds=30, fraction=0.5)


def test_same_seed_same_trace_and_another_seed_another():
    one = stale_copies(orders=60, seed=4, faults=LAG).run()
    assert one.trace.digest() == stale_copies(orders=60, seed=4, faults=LAG).run().trace.digest()
    assert one.trace.digest() != stale_copies(orders=60, seed=5, faults=LAG).run().trace.digest()
    assert sum(one.counts().values()) == 60 and not one.dead_letters


@pytest.mark.parametrize("sales", [Sales, VersionedSales, CheckingSales])
def test_both_wirings_decide_every_order_the_same_way(sales):
    runs = [stale_copies(orders=80, seed=2, faults=LAG, sales=sales, wiring=w).run()
            for w in ("choreography", "orchestration")]
    assert runs[0].outcomes == runs[1].outcomes
    assert all(set(r.counts()) <= {"accepted", "declined"} and not r.dead_letters for r in runs)
    assert "orchestrator" in {e.at for e in runs[1].trace.entries if e.kind == "send"}


def test_without_lag_no_copy_is_ever_stale():
    drift = detect_stale_copies(stale_copies(orders=100, seed=3).run())
    assert not drift.found and drift.reads == 100


def test_a_late_older_event_rolls_the_naive_copy_back_until_a_reconciliation_repairs_it():
    # One change in two reaches sales 30 s late, so an older version can overtake a newer one.
    naive = detect_stale_copies(stale_copies(seed=6, faults=LAG).run())
    reconciled = detect_stale_copies(stale_copies(seed=6, faults=LAG, reconcile_every=10).run())
    assert sum(reconciled.stale_seconds.values()) < sum(naive.stale_seconds.values())
    assert len(reconciled.stale_reads) < len(naive.stale_reads)


def test_the_version_check_asks_the_record_only_for_orders_placed_against_a_newer_version():
    run = stale_copies(seed=1, faults=LAG, sales=CheckingSales).run()
    asked = [e for e in run.trace.entries if e.kind == "send" and e.type == "CreditCheckRequested"]
    assert 0 < len(asked) < 150 // 4
    calm = stale_copies(seed=1, sales=CheckingSales).run()
    assert not [e for e in calm.trace.entries if e.kind == "send" and e.type == "CreditCheckRequested"]


def test_parameters_are_checked_in_one_sentence():
    with pytest.raises(ScenarioError, match="based on Sales"):
        stale_copies(sales=dict)
    with pytest.raises(ScenarioError, match="fraction"):
        consumer_lag(10, 2)
    with pytest.raises(ScenarioError, match="reconcile_every"):
        stale_copies(reconcile_every=0)
    assert consumer_lag(10).messages == [Delay(seconds=10, type="CreditLimitChanged", inbox="sales")]
    assert isinstance(consumer_lag(), FaultPlan)
