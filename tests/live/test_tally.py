"""The live counters agree with what a finished run's trace says, whichever way it is read."""

from playground.analysis.invariants import check
from playground.analysis.metrics import backlog
from playground.live.tally import Tally
from playground.runtime.faults import Duplicate, FaultPlan
from playground.scenarios import order_flow


def _tally_of(result, chunks=7):
    """Feed a finished trace to a tally a few entries at a time, as a live session would."""
    source = result.trace.entries
    from playground.runtime.trace import Trace

    growing = Trace()
    tally = Tally(growing, terminals=result.terminals, inboxes=["orders", "invoices", "payments", "shipping", "email"])
    step, start = max(1, len(source) // chunks), 0
    while start < len(source):
        end = min(start + step, len(source))
        # A sample sees everything that happened at its instant, as metrics.backlog does.
        while end < len(source) and source[end].time == source[end - 1].time:
            end += 1
        for e in source[start:end]:
            growing.record(*e[1:])
        tally.update(source[end - 1].time)
        start = end
    return tally


def test_counters_match_the_outcomes_and_the_final_backlog_of_a_run():
    result = order_flow(orders=40, seed=3, decline_rate=0.2, faults=FaultPlan(outages={"email": [(5, 30)]})).run()
    tally = _tally_of(result)
    counts = tally.counts()
    ends = result.counts()
    assert counts["completed"] == ends["completed"]
    assert counts["cancelled"] == ends["cancelled"] > 0
    assert counts["in flight"] == 0
    # Every inbox is empty at the end of the run, as metrics.backlog says too.
    assert all(level == 0 for level in tally.backlog.values())
    assert all(series.values[-1] == 0 for series in backlog(result).values())
    # While email was down its backlog was sampled above zero.
    email = tally.history["backlog:email"]
    assert max(email) > 0


def test_the_backlog_follows_metrics_backlog_at_every_sample():
    result = order_flow(orders=30, seed=5, faults=FaultPlan(outages={"payments": [(3, 20)]})).run()
    tally = _tally_of(result, chunks=15)
    reference = backlog(result)
    for when, level in zip(tally.history["time"], tally.history["backlog:payments"]):
        assert level == reference["payments"].at(when)


def test_a_duplicated_confirmation_counts_as_an_anomaly_once_the_order_has_ended():
    plan = FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox="email", count=1)])
    result = order_flow(orders=5, seed=2, faults=plan).run()
    expected = sum(len(v) for v in check(result).values())
    tally = _tally_of(result)
    assert tally.check_invariants() == expected == 1
    # Checked once: nothing changed since, so nothing is counted twice.
    assert tally.check_invariants() == 1
