"""Export a run's trace as OpenTelemetry spans: one span per handled message.

Each span covers a component handling one message, from its ``start`` to its
``end`` entry in simulated nanoseconds. A span's parent is the span in which
the message was sent (its causation id), so one business transaction becomes
one OpenTelemetry trace whose id is derived from the correlation id. Ids are
computed, not random, so the same run exports the same spans every time.

Spans go to an in-memory exporter by default. Pass ``endpoint=`` to also send
them to an OTLP/HTTP collector (Jaeger, Tempo…); that needs the optional
``opentelemetry-exporter-otlp-proto-http`` package (``pip install -e ".[otlp]"``).

>>> from playground.scenarios import order_flow
>>> spans = export_spans(order_flow(orders=2, seed=1).run())
>>> len(spans), spans[0].name
(14, 'orders handles PlaceOrder')
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.scenarios.base import Result


def _number(text: str, size: int) -> int:
    """A non-zero integer of ``size`` bytes derived from ``text`` (OpenTelemetry forbids zero ids)."""
    value = int.from_bytes(hashlib.sha256(text.encode()).digest()[:size], "big")
    return value or 1


def trace_id_for(correlation_id: str | None, message_id: str) -> int:
    """The OpenTelemetry trace id of a business transaction; a message without one starts its own."""
    return _number(f"trace:{correlation_id}" if correlation_id is not None else f"uncorrelated:{message_id}", 16)


def span_id_for(message_id: str, component: str, attempt: int) -> int:
    return _number(f"span:{message_id}:{component}:{attempt}", 8)


class PresetIds(IdGenerator):
    """Hands the SDK the ids we computed for the next span, instead of random ones."""

    def __init__(self) -> None:
        self.next_trace_id = 1
        self.next_span_id = 1

    def generate_trace_id(self) -> int:
        return self.next_trace_id

    def generate_span_id(self) -> int:
        return self.next_span_id


def _ns(seconds: float, epoch_ns: int) -> int:
    return epoch_ns + round(seconds * 1_000_000_000)


def _otlp(endpoint: str) -> SpanExporter:
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise PlaygroundError("Sending spans to an OTLP endpoint needs the opentelemetry-exporter-otlp-proto-http "
                              'package; install it (pip install -e ".[otlp]") or leave endpoint= out.') from None
    return OTLPSpanExporter(endpoint=endpoint)


def export_spans(source: "Result | Trace", *, endpoint: str | None = None, epoch_ns: int = 0,
                 exporter: SpanExporter | None = None) -> list[ReadableSpan]:
    """Turn every handled message of a run into a span and return the finished spans in order.

    Args:
        endpoint: an OTLP/HTTP traces URL such as ``http://localhost:4318/v1/traces``; spans are
            sent there as well. Leave it out to keep everything in memory.
        epoch_ns: wall-clock nanoseconds that simulated time 0 maps to (0 keeps output deterministic;
            a collector's UI may prefer "now").
        exporter: a further exporter of your own to receive the spans.
    """
    trace = getattr(source, "trace", source)
    memory = InMemorySpanExporter()
    targets: list[SpanExporter] = [memory]
    if endpoint is not None:
        targets.append(_otlp(endpoint))
    if exporter is not None:
        targets.append(exporter)
    ids = PresetIds()
    providers: dict[str, TracerProvider] = {}

    def tracer(component: str) -> trace_api.Tracer:
        provider = providers.get(component)
        if provider is None:
            # One provider per component so each shows up as its own service in a trace viewer.
            provider = providers[component] = TracerProvider(
                resource=Resource.create({"service.name": component}), id_generator=ids)
            for target in targets:
                provider.add_span_processor(SimpleSpanProcessor(target))
        return provider.get_tracer("playground")

    senders: dict[str, str] = {}
    started: dict[tuple[str, str], list[float]] = {}
    notes: dict[tuple[str, str], list] = {}
    spans: dict[tuple[str, str], trace_api.Span] = {}
    attempts: dict[tuple[str, str], int] = {}
    try:
        for e in trace.entries:
            key = (e.message_id, e.at)
            if e.kind == "send":
                senders[e.message_id] = e.at
            elif e.kind == "start":
                started.setdefault(key, []).append(e.time)
                notes[key] = []
            elif e.kind in ("effect", "fault", "state") and key in notes:
                notes[key].append(e)
            elif e.kind == "end" and started.get(key):
                begun = started[key].pop(0)
                attempt = attempts[key] = attempts.get(key, 0) + 1
                parent = spans.get((e.causation_id, senders.get(e.message_id, "")))
                ids.next_trace_id = trace_id_for(e.correlation_id, e.message_id)
                ids.next_span_id = span_id_for(e.message_id, e.at, attempt)
                context = trace_api.set_span_in_context(parent) if parent is not None else Context()
                attributes: dict[str, Any] = {
                    "messaging.system": "playground", "messaging.operation.type": "process",
                    "messaging.destination.name": e.at, "messaging.message.id": e.message_id,
                    "playground.message.type": e.type, "playground.command": (e.detail or {}).get("command", ""),
                }
                if e.correlation_id is not None:
                    attributes["messaging.message.conversation_id"] = e.correlation_id
                if e.causation_id is not None:
                    attributes["playground.causation_id"] = e.causation_id
                span = tracer(e.at).start_span(f"{e.at} handles {e.type}", context=context,
                                               kind=trace_api.SpanKind.CONSUMER, attributes=attributes,
                                               start_time=_ns(begun, epoch_ns))
                for note in notes.pop(key, []):
                    span.add_event(note.kind, {k: str(v) for k, v in (note.detail or {}).items()},
                                   timestamp=_ns(note.time, epoch_ns))
                span.end(end_time=max(_ns(e.time, epoch_ns), _ns(begun, epoch_ns)))
                if key not in spans:
                    spans[key] = span
    finally:
        for provider in providers.values():
            provider.shutdown()
    return list(memory.get_finished_spans())
