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
from typing import TYPE_CHECKING, Any, NamedTuple

from opentelemetry import trace as trace_api
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

from playground.errors import PlaygroundError
from playground.runtime.envelope import DEAD_LETTERS

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.runtime.result import Result


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


class Handling(NamedTuple):
    """One component handling one message: what becomes one span."""

    order: int            # seq of the entry that opened it; parents always open first
    message_id: str
    component: str
    type: str
    correlation_id: str | None
    causation_id: str | None
    start: float
    end: float
    command: str
    notes: list


class Handlings(list):
    """Handlings in the order their spans must be made, plus who sent each message and what caused it."""

    senders: dict[str, str]
    causes: dict[str, str | None]


def _handlings(trace: "Trace") -> Handlings:
    """Every handled message of the trace.

    Services record ``start`` and ``end`` around their work. A component that
    records neither (the orchestrator reacts in no simulated time) counts a
    message as handled when it takes it from its inbox, and its span lasts
    until the last message that reaction sent.
    """
    entries = trace.entries
    timed = {e.at for e in entries if e.kind == "start"}
    senders: dict[str, str] = {}
    causes: dict[str, str | None] = {}
    last_out: dict[tuple[str | None, str], float] = {}
    for e in entries:
        if e.kind == "send":
            senders[e.message_id] = e.at
            causes[e.message_id] = e.causation_id
            last_out[(e.causation_id, e.at)] = e.time
    open_: dict[tuple[str, str], list] = {}
    notes: dict[tuple[str, str], list] = {}
    found = Handlings()
    for e in entries:
        key = (e.message_id, e.at)
        if e.kind == "start":
            open_.setdefault(key, []).append(e)
            notes[key] = []
        elif e.kind == "end" and open_.get(key):
            begun = open_[key].pop(0)
            found.append(Handling(begun.seq, e.message_id, e.at, e.type, e.correlation_id, e.causation_id,
                                  begun.time, e.time, (e.detail or {}).get("command", ""), notes.pop(key, [])))
        elif e.kind == "deliver" and e.at not in timed and e.at != DEAD_LETTERS:
            notes[key] = []
            found.append(Handling(e.seq, e.message_id, e.at, e.type, e.correlation_id, e.causation_id,
                                  e.time, max(e.time, last_out.get(key, e.time)), "", notes[key]))
        elif e.kind in ("effect", "data", "fault", "state", "step", "compensate", "retry", "timeout") and key in notes:
            notes[key].append(e)
    found.sort(key=lambda h: h.order)
    found.senders, found.causes = senders, causes
    return found


def _parent(spans: dict, h: Handling, senders: dict[str, str], causes: dict[str, str | None]) -> Any:
    """The span in which ``h``'s message was sent; up the causation chain if that sender left no span."""
    message, cause = h.message_id, h.causation_id
    while cause is not None:
        span = spans.get((cause, senders.get(message, "")))
        if span is not None:
            return span
        message, cause = cause, causes.get(cause)
    return None



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

    handlings = _handlings(trace)
    spans: dict[tuple[str, str], trace_api.Span] = {}
    attempts: dict[tuple[str, str], int] = {}
    try:
        for h in handlings:
            key = (h.message_id, h.component)
            attempt = attempts[key] = attempts.get(key, 0) + 1
            parent = _parent(spans, h, handlings.senders, handlings.causes)
            ids.next_trace_id = trace_id_for(h.correlation_id, h.message_id)
            ids.next_span_id = span_id_for(h.message_id, h.component, attempt)
            context = trace_api.set_span_in_context(parent) if parent is not None else Context()
            attributes: dict[str, Any] = {
                "messaging.system": "playground", "messaging.operation.type": "process",
                "messaging.destination.name": h.component, "messaging.message.id": h.message_id,
                "playground.message.type": h.type, "playground.command": h.command,
            }
            if h.correlation_id is not None:
                attributes["messaging.message.conversation_id"] = h.correlation_id
            if h.causation_id is not None:
                attributes["playground.causation_id"] = h.causation_id
            span = tracer(h.component).start_span(f"{h.component} handles {h.type}", context=context,
                                                  kind=trace_api.SpanKind.CONSUMER, attributes=attributes,
                                                  start_time=_ns(h.start, epoch_ns))
            for note in h.notes:
                span.add_event(note.kind, {k: str(v) for k, v in (note.detail or {}).items()},
                               timestamp=_ns(note.time, epoch_ns))
            span.end(end_time=max(_ns(h.end, epoch_ns), _ns(h.start, epoch_ns)))
            spans.setdefault(key, span)
    finally:
        for provider in providers.values():
            provider.shutdown()
    return list(memory.get_finished_spans())
