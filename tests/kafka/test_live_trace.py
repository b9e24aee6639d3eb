"""Live traces: streamed as JSON lines, merged across processes, analysed like a simulated run."""

import io

from playground.analysis.invariants import check
from playground.kafka.live_trace import LiveTrace, read_traces
from playground.workers.results import live_result


def _flow(trace, order, t):
    trace.record(t, "send", "orders", "OrderPlaced", f"{order}-1", order, None)
    trace.record(t + 0.5, "effect", "payments", "InvoiceCreated", f"{order}-2", order, None,
                 {"effect": "charge", "key": order, "amount": 1.0})
    trace.record(t + 1, "send", "orders", "OrderCompleted", f"{order}-3", order, None)


def test_traces_of_two_processes_merge_in_time_order_from_zero():
    a, b = io.StringIO(), io.StringIO()
    _flow(LiveTrace(keep=False, sink=a), "o-1", 1000.0)
    _flow(LiveTrace(keep=False, sink=b), "o-2", 1000.25)
    merged = read_traces(a.getvalue().splitlines() + b.getvalue().splitlines())
    assert [(e.time, e.correlation_id) for e in merged.where(kind="send")] == [
        (0.0, "o-1"), (0.25, "o-2"), (1.0, "o-1"), (1.25, "o-2")]
    result = live_result(merged, ["o-1", "o-2", "o-3"])
    assert result.outcomes == {"o-1": "completed", "o-2": "completed", "o-3": "unfinished"}


def test_a_repeated_effect_across_processes_is_caught_by_the_invariant():
    a, b = io.StringIO(), io.StringIO()
    _flow(LiveTrace(keep=False, sink=a), "o-1", 5.0)
    LiveTrace(sink=b).record(7.0, "effect", "payments", "InvoiceCreated", "x", "o-1", None,
                             {"effect": "charge", "key": "o-1", "amount": 1.0})
    result = live_result(read_traces(a.getvalue().splitlines() + b.getvalue().splitlines()), ["o-1"])
    assert len(check(result, "effects-at-most-once")["effects-at-most-once"]) == 1


def test_a_trace_that_keeps_nothing_still_streams():
    out = io.StringIO()
    trace = LiveTrace(keep=False, sink=out)
    _flow(trace, "o-1", 0.0)
    assert len(trace) == 0 and len(out.getvalue().splitlines()) == 3
