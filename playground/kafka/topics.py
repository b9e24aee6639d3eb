"""Kafka topics derived from the catalog, and the envelope's JSON wire format.

Every message type is declared once in the catalog with its owner and kind;
the topic it travels on follows from that: ``<prefix>.<owner>.events`` or
``<prefix>.<owner>.commands``. The record key is the correlation id, so every
message of one business transaction lands on the same partition number of
every topic and keeps its order within a topic. Nothing here is typed by hand:
add a message type to the catalog and its topic, partitions and consumers
follow.

>>> topology = Topology(partitions=4)
>>> topology.topic_for("OrderPlaced"), topology.topic_for("PlaceOrder")
('playground.orders.events', 'playground.orders.commands')
>>> topology.topics_for("shipping", {"InvoicePaid": "ShipOrder"})
['playground.invoices.events', 'playground.shipping.commands']
>>> env = Envelope("OrderPlaced", {"order_id": "o-1"}, "orders.ab12-000001", "o-1", None, 1, 0.5, "orders")
>>> decode(encode(env)) == env
True
>>> decode(b"not json")
Traceback (most recent call last):
...
playground.kafka.topics.MalformedRecord: the record is not valid JSON (Expecting value at character 0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from playground.catalog import CATALOG, Catalog
from playground.errors import PlaygroundError
from playground.runtime.envelope import DEAD_LETTERS, Envelope

#: Fields of the wire format: name → (accepted JSON types, required?).
WIRE_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "type": ((str,), True),
    "payload": ((dict,), True),
    "message_id": ((str,), True),
    "correlation_id": ((str, type(None)), True),
    "causation_id": ((str, type(None)), False),
    "schema_version": ((int,), False),
    "time": ((int, float), False),
    "sender": ((str,), False),
}

#: Headers every record carries, so a consumer can route without parsing the body.
HEADERS = ("type", "message_id", "correlation_id", "causation_id", "sender", "schema_version")


class MalformedRecord(PlaygroundError):
    """A record that is not an envelope in the documented JSON format; the reason says why."""


@dataclass(frozen=True)
class Topology:
    """Topic names, partition count and consumer groups for one namespace on one broker.

    Args:
        catalog: where message types, owners and kinds come from.
        prefix: namespace for topics and consumer groups, so several runs
            (or tests) can share one broker without seeing each other.
        partitions: partitions of every topic; the most worker processes of
            one service that can share its work.
    """

    catalog: Catalog = CATALOG
    prefix: str = "playground"
    partitions: int = 4
    #: the orchestrated wiring: services' events are replies, sent to this inbox's own topic.
    replies_to: str | None = None
    #: consumer groups' namespace when it is not the topics' (a second reader of the same topics).
    groups: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def topic_for(self, type_: str) -> str:
        """The topic a message of this type is published on (refuses unknown types).

        With :attr:`replies_to` (the orchestrated wiring) every event a service
        owns is a reply and goes to ``<prefix>.<replies_to>.replies``: the
        orchestrator reads one topic, and nothing else listens to services.

        >>> Topology(replies_to="orchestrator").topic_for("PaymentReceived")
        'playground.orchestrator.replies'
        """
        topic = self._cache.get(type_)
        if topic is None:
            spec = self.catalog[type_]
            if self.replies_to is not None and spec.kind == "event" and spec.owner != self.replies_to:
                topic = f"{self.prefix}.{self.replies_to}.replies"
            else:
                topic = f"{self.prefix}.{spec.owner}.{spec.kind}s"
            self._cache[type_] = topic
        return topic

    def partition_of(self, key: str) -> int:
        """The partition a record with this key goes to (Kafka's default partitioner: murmur2 of the key).

        >>> Topology(partitions=4).partition_of("order-7") in range(4)
        True
        """
        from aiokafka.partitioner import murmur2

        return (murmur2(key.encode()) & 0x7FFFFFFF) % self.partitions

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}.{DEAD_LETTERS}"

    def group(self, service: str) -> str:
        """The consumer group of a service: all its worker processes split the partitions.

        >>> Topology(prefix="shop").group("email"), Topology(prefix="shop", groups="shop.late").group("email")
        ('shop.email', 'shop.late.email')
        """
        return f"{self.groups or self.prefix}.{service}"

    def changelog(self, service: str) -> str:
        """The compacted topic a service's state moves on between machines (not one of :meth:`topics`).

        >>> Topology(prefix="shop").changelog("payments")
        'shop.payments.changelog'
        """
        return f"{self.prefix}.{service}.changelog"

    def topics(self) -> list[str]:
        """Every topic this namespace uses, the dead-letter topic included."""
        return sorted({self.topic_for(spec.name) for spec in self.catalog} | {self.dead_letters})

    def topics_for(self, service: str, reactions: Mapping[str, str] | Iterable[str]) -> list[str]:
        """The topics a service reads: its own commands and the events it reacts to."""
        wanted = {self.topic_for(t) for t in reactions}
        wanted |= {self.topic_for(s.name) for s in self.catalog.owned_by(service) if s.kind == "command"}
        return sorted(wanted)

    def wants(self, service: str, reactions: Iterable[str]) -> frozenset[str]:
        """Message types a service handles: commands it owns and events it reacts to."""
        owned = {s.name for s in self.catalog.owned_by(service) if s.kind == "command"}
        return frozenset(owned | set(reactions))


def encode(envelope: Envelope) -> bytes:
    """The envelope as compact JSON, fields in declaration order."""
    e = envelope  # a plain dict: dataclasses.asdict deep-copies the payload, several times slower
    return json.dumps({"type": e.type, "payload": e.payload, "message_id": e.message_id,
                       "correlation_id": e.correlation_id, "causation_id": e.causation_id,
                       "schema_version": e.schema_version, "time": e.time, "sender": e.sender},
                      separators=(",", ":")).encode()


def headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    """Kafka headers mirroring the envelope's routing fields (absent causation id: no header)."""
    e = envelope
    values = (e.type, e.message_id, e.correlation_id, e.causation_id, e.sender, str(e.schema_version))
    return [(name, value.encode()) for name, value in zip(HEADERS, values) if value is not None]


def key(envelope: Envelope) -> bytes | None:
    """The record key: the correlation id, so one business transaction stays on one partition."""
    return envelope.correlation_id.encode() if envelope.correlation_id is not None else None


def decode(raw: bytes | None, *, catalog: Catalog = CATALOG, now: float = 0.0) -> Envelope:
    """The envelope in a record's value, or :class:`MalformedRecord` saying what is wrong with it.

    ``causation_id``, ``schema_version``, ``time`` and ``sender`` may be left
    out by independent producers; they default to none, the catalog's
    version, ``now`` and ``"external"``. Fields the envelope does not know
    (a newer producer's) are ignored and kept in ``envelope.extra``.

    >>> decode(b'{"type": "X", "payload": {}, "message_id": "m", "correlation_id": null, "trace": "t-1"}').extra
    {'trace': 't-1'}
    """
    if raw is None:
        raise MalformedRecord("the record has no value")
    try:
        data: Any = json.loads(raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw)
    except UnicodeDecodeError:
        raise MalformedRecord("the record is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise MalformedRecord(f"the record is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise MalformedRecord(f"the record is JSON {type(data).__name__}, not an object with envelope fields")
    for name, (kinds, required) in WIRE_FIELDS.items():
        if name not in data:
            if required:
                raise MalformedRecord(f"the record lacks the envelope field '{name}'")
            continue
        value = data[name]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise MalformedRecord(f"the envelope field '{name}' has the wrong type ({type(value).__name__})")
    type_ = data["type"]
    version = data.get("schema_version")
    if version is None:
        version = catalog[type_].version if type_ in catalog else 1
    unknown = {name: value for name, value in data.items() if name not in WIRE_FIELDS}
    # A newer producer's fields: ignored here, kept for whoever looks (a dead letter carries them on).
    cls = ExtendedEnvelope if unknown else Envelope
    envelope = cls(type_, data["payload"], data["message_id"], data["correlation_id"],
                   data.get("causation_id"), version, float(data.get("time", now)), data.get("sender", "external"))
    if unknown:
        envelope.extra = unknown
    return envelope


class ExtendedEnvelope(Envelope):
    """An envelope that arrived with fields this version does not know; they ride along in ``extra``."""

    __slots__ = ("extra",)


def wire_dict(envelope: Envelope) -> dict[str, Any]:
    """The envelope's fields plus any unknown ones it arrived with (forward compatibility)."""
    return {**envelope.to_dict(), **getattr(envelope, "extra", {})}
