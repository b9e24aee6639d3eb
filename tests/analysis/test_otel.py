"""Exported spans: one per handled message, one trace per correlation id, parents from causation ids."""

import importlib.util

import pytest

from playground.analysis.otel import export_spans, trace_id_for
from playground.errors import PlaygroundError
from playground.runtime.fault_rules import Duplicate
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow


@pytest.fixture(scope="module", params=["choreography", "orchestration"])
def run_and_spans(request):
    # A duplicate makes one message handled twice: two spans, one per handling.
    result = order_flow(orders=12, seed=6, decline_rate=0.2, wiring=request.param,
                        faults=FaultPlan(messages=[Duplicate(type="InvoicePaid", nth=1)])).run()
    return result, export_spans(result)


def handled(result):
    """(message, component) per handling: a service's end entries; for a component that records
    no handler entries (the orchestrator reacts instantly), each message it took from its inbox."""
    timed = {e.at for e in result.trace.where(kind="start")}
    return [(e.message_id, e.at) for e in result.trace.entries
            if e.kind == "end" or (e.kind == "deliver" and e.at not in timed and e.at != "dead-letters")]


def test_one_span_per_handled_message(run_and_spans):
    result, spans = run_and_spans
    expected = handled(result)
    assert len(spans) == len(expected) > 0
    assert sorted((s.attributes["messaging.message.id"], s.attributes["messaging.destination.name"]) for s in spans) == \
        sorted(expected)
    assert len({s.context.span_id for s in spans}) == len(spans)


def test_one_trace_per_correlation_id(run_and_spans):
    result, spans = run_and_spans
    by_trace = {}
    for s in spans:
        by_trace.setdefault(s.context.trace_id, set()).add(s.attributes["messaging.message.conversation_id"])
    assert all(len(ids) == 1 for ids in by_trace.values())
    assert sorted(i for ids in by_trace.values() for i in ids) == sorted(result.outcomes)
    assert all(s.context.trace_id == trace_id_for(s.attributes["messaging.message.conversation_id"], "")
               for s in spans)


def test_parents_follow_causation_ids(run_and_spans):
    result, spans = run_and_spans
    sender = {e.message_id: e.at for e in result.trace.where(kind="send")}
    first_span = {}
    for s in spans:
        first_span.setdefault((s.attributes["messaging.message.id"], s.attributes["messaging.destination.name"]), s)
    roots = 0
    for s in spans:
        cause = s.attributes.get("playground.causation_id")
        if cause is None:
            assert s.parent is None
            roots += 1
            continue
        parent = first_span[(cause, sender[s.attributes["messaging.message.id"]])]
        assert s.parent.span_id == parent.context.span_id and s.parent.trace_id == parent.context.trace_id
        assert parent.end_time <= s.start_time
    assert roots == len(result.outcomes)  # only each order's PlaceOrder has no cause


def test_times_are_simulated_nanoseconds_and_ids_are_stable(run_and_spans):
    result, spans = run_and_spans
    first = spans[0]
    assert first.name == "orders handles PlaceOrder"
    start = result.trace.where(kind="start", message_id=first.attributes["messaging.message.id"])[0]
    assert first.start_time == round(start.time * 1e9) and first.end_time >= first.start_time
    again = export_spans(result)
    assert [(s.context.trace_id, s.context.span_id, s.start_time, s.end_time) for s in again] == \
        [(s.context.trace_id, s.context.span_id, s.start_time, s.end_time) for s in spans]
    effects = [ev for s in spans for ev in s.events if ev.name == "effect"]
    assert len(effects) == len(result.trace.where(kind="effect"))


def _otlp_installed():
    try:
        return importlib.util.find_spec("opentelemetry.exporter.otlp.proto.http") is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.skipif(_otlp_installed(), reason="the OTLP exporter is installed here")
def test_an_otlp_endpoint_without_the_exporter_package_gets_one_sentence(small_run):
    with pytest.raises(PlaygroundError, match="opentelemetry-exporter-otlp-proto-http"):
        export_spans(small_run, endpoint="http://127.0.0.1:4318/v1/traces")


def test_a_service_that_drops_the_context_splits_each_transaction_into_two_traces():
    intact = export_spans(order_flow(orders=10, seed=3).run())
    cut = export_spans(order_flow(orders=10, seed=3, faults=FaultPlan(uncorrelated="payments")).run())
    assert len(cut) == len(intact)
    assert len({s.context.trace_id for s in intact}) == 10
    assert len({s.context.trace_id for s in cut}) == 20  # the part after payments has nothing to join
    orphans = [s for s in cut if s.parent is None and s.name != "orders handles PlaceOrder"]
    assert {s.name for s in orphans} == {"invoices handles PaymentReceived"} and len(orphans) == 10


def test_a_decision_that_read_a_copy_is_an_event_on_its_span():
    from playground.scenarios.stale_copies import stale_copies

    spans = export_spans(stale_copies(orders=5, seed=1).run())
    reads = [e for s in spans for e in s.events if e.name == "data" and e.attributes["role"] == "read"]
    assert len(reads) == 5 and {e.attributes["key"] for e in reads} <= {f"customer-{i:02d}" for i in range(1, 11)}
