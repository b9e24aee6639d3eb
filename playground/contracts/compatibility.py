"""May a new version of a message contract ship? Reader/writer compatibility, as a schema registry judges it.

Reader and writer, for the catalog's field types
------------------------------------------------
A *writer* schema describes the payloads a producer publishes; a *reader*
schema describes the payloads a consumer accepts (the catalog's
:meth:`~playground.catalog.base.MessageSpec.problem_with` is that check).
Reader ``R`` **can read** writer ``W`` when every payload ``W`` allows passes
``R``'s check. A payload written to ``W`` carries only ``W``'s fields: each
required field, with its type; each optional field, with its type, or not at
all. Field by field, for every field ``f`` that ``R`` declares:

* ``f`` required by ``R``: ``W`` must declare ``f`` and require it (a field
  ``W`` marks optional may be missing), and ``W``'s type must be readable as
  ``R``'s;
* ``f`` optional for ``R``: when ``W`` declares ``f``, its type must be readable
  as ``R``'s; when it does not, ``R`` reads the payload without it (absent is
  an optional field's default).

Fields ``W`` declares and ``R`` does not are ignored: the playground's
consumers take the fields they name and leave the rest, as an Avro reader
drops fields only the writer knows. A type is readable as itself, and a whole
number is readable as a number (``int`` → ``float``, the one widening the
catalog's check accepts, as Avro promotes ``int`` to ``double``). Nothing else
converts: a number is not a whole number, a whole number is not text.

Modes (the names and meanings of Confluent Schema Registry)
-----------------------------------------------------------
* ``BACKWARD``: the new version reads what the latest registered version
  wrote. Consumers can upgrade first. Removing a field passes; adding a
  required one does not.
* ``FORWARD``: the latest registered version reads what the new version
  writes. Producers can upgrade first. Adding a field passes; removing a
  required one does not.
* ``FULL``: both. Only optional fields come and go.
* ``BACKWARD_TRANSITIVE``, ``FORWARD_TRANSITIVE``, ``FULL_TRANSITIVE``: the
  same against *every* registered version, not only the latest.
* ``NONE``: nothing is checked.

A mode judges schemas, not people. Which consumers a change breaks is a
second question, answered from who reads the event: the reaction tables
(each consumer's command is its reader schema) and the traffic of a run
(every ``end`` entry names the command a consumer ran for a message).

>>> v1 = MessageSpec("ParcelWeighed", "event", "warehouse", {"parcel_id": str, "weight_kg": float}, "A parcel was weighed.")
>>> v2 = replace(v1, version=2, fields={**v1.fields, "weight_g": int}, optional=frozenset({"weight_g"}))
>>> compatibility(v2, [v1], "FULL").ok
True
>>> renamed = replace(v1, version=2, fields={"parcel_id": str, "weight_g": int})
>>> print(compatibility(renamed, [v1], "FORWARD").problems[0])
version 1 cannot read version 2: field 'weight_kg' is required but version 2 does not have it
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from playground.catalog.base import _TYPE_NAMES, Catalog, MessageSpec
from playground.errors import PlaygroundError

#: Every mode a schema registry defines, with (new reads old, old reads new, against every version).
MODES: dict[str, tuple[bool, bool, bool]] = {
    "BACKWARD": (True, False, False),
    "FORWARD": (False, True, False),
    "FULL": (True, True, False),
    "BACKWARD_TRANSITIVE": (True, False, True),
    "FORWARD_TRANSITIVE": (False, True, True),
    "FULL_TRANSITIVE": (True, True, True),
    "NONE": (False, False, False),
}

#: Writer type → reader types that read it without loss.
_READABLE_AS: dict[type, set[type]] = {int: {int, float}}


class UnknownMode(PlaygroundError, ValueError):
    """A compatibility mode a schema registry does not define."""


def check_mode(mode: str) -> str:
    """``mode`` upper-cased, or :class:`UnknownMode` naming the modes there are."""
    key = str(mode).upper()
    if key not in MODES:
        raise UnknownMode(f"There is no compatibility mode called {mode!r}; choose from {', '.join(MODES)}.")
    return key


def _type_name(kind: type) -> str:
    return _TYPE_NAMES.get(kind, kind.__name__)


def read_problems(reader: MessageSpec, writer: MessageSpec) -> list[str]:
    """Why ``reader`` cannot read every payload ``writer`` allows (empty when it can), one phrase each.

    >>> old = MessageSpec("X", "event", "t", {"id": str, "n": int}, "x")
    >>> read_problems(old, replace(old, fields={"id": str, "n": float}))
    ["field 'n' is a whole number for the reader but a number for the writer"]
    """
    problems = []
    for name, wanted in reader.fields.items():
        required = name not in reader.optional
        if name not in writer.fields:
            if required:
                problems.append(f"field '{name}' is required but {_label(writer)} does not have it")
            continue
        if required and name in writer.optional:
            problems.append(f"field '{name}' is required but {_label(writer)} may leave it out")
        written = writer.fields[name]
        if wanted is not written and wanted not in _READABLE_AS.get(written, ()):
            problems.append(f"field '{name}' is {_type_name(wanted)} for the reader but {_type_name(written)} "
                            "for the writer")
    return problems


def _label(spec: MessageSpec) -> str:
    return f"version {spec.version}"


@dataclass(frozen=True)
class Compatibility:
    """What a mode says about a new version against the registered ones."""

    new: MessageSpec
    mode: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = f"{self.new.name} version {self.new.version} under {self.mode}:"
        return f"{head} compatible" if self.ok else "\n".join([f"{head} refused", *(f"  {p}" for p in self.problems)])


def compatibility(new: MessageSpec, history: Sequence[MessageSpec], mode: str = "BACKWARD") -> Compatibility:
    """Judge ``new`` against ``history`` (registered versions, oldest first) under ``mode``."""
    mode = check_mode(mode)
    new_reads_old, old_reads_new, transitive = MODES[mode]
    against = list(history) if transitive else list(history[-1:])
    problems = []
    for old in reversed(against):  # the latest first: it is the one most people run
        if new_reads_old:
            problems += [f"version {new.version} cannot read version {old.version}: {p}"
                         for p in read_problems(new, old)]
        if old_reads_new:
            problems += [f"version {old.version} cannot read version {new.version}: {p}"
                         for p in read_problems(old, new)]
    return Compatibility(new, mode, problems)


@dataclass(frozen=True)
class Consumer:
    """A component that reads a message type: through which command, and where we learnt it."""

    name: str
    command: str
    seen_in: tuple[str, ...]  # "reactions", "traffic" or both

    def reader(self, event: MessageSpec, catalog: Catalog) -> MessageSpec:
        """The consumer's reader schema for ``event``: the fields its command takes from the payload."""
        spec = catalog[self.command]
        return replace(event, fields=dict(spec.fields), optional=frozenset(spec.optional))


def consumers_of(event: str, *, reactions: Mapping[str, Mapping[str, str]] | None = None,
                 traffic: Any = None) -> list[Consumer]:
    """Who reads ``event``: from reaction tables (service → {event: command}) and from a run's trace.

    ``traffic`` is a Result or a Trace; each ``end`` entry of ``event`` names
    the component and the command it ran. Consumers are listed by name.
    """
    found: dict[tuple[str, str], list[str]] = {}
    for service, table in (reactions or {}).items():
        if event in table:
            found.setdefault((service, table[event]), []).append("reactions")
    if traffic is not None:
        trace = getattr(traffic, "trace", traffic)
        for e in trace.entries:
            if e.kind == "end" and e.type == event and isinstance(e.detail, dict) and "command" in e.detail:
                seen = found.setdefault((e.at, e.detail["command"]), [])
                if "traffic" not in seen:
                    seen.append("traffic")
    return [Consumer(name, command, tuple(seen)) for (name, command), seen in sorted(found.items())]


@dataclass(frozen=True)
class Breakage:
    """A consumer that could not read the new version, and why."""

    consumer: Consumer
    problems: list[str]

    def __str__(self) -> str:
        c = self.consumer
        return f"{c.name} ({c.command}, seen in {' and '.join(c.seen_in)}): {'; '.join(self.problems)}"


def breaking_consumers(new: MessageSpec, catalog: Catalog, *, reactions: Mapping[str, Mapping[str, str]] | None = None,
                       traffic: Any = None) -> list[Breakage]:
    """Every consumer of ``new.name`` whose command cannot read payloads of ``new``."""
    broken = []
    for consumer in consumers_of(new.name, reactions=reactions, traffic=traffic):
        if consumer.command not in catalog:
            broken.append(Breakage(consumer, [f"its command '{consumer.command}' is not in the catalog"]))
            continue
        problems = read_problems(consumer.reader(new, catalog), new)
        if problems:
            broken.append(Breakage(consumer, problems))
    return broken


def field_changes(old: MessageSpec, new: MessageSpec) -> list[str]:
    """What changed between two versions, field by field, e.g. ``["added optional weight_g: a whole number"]``."""
    changes = []
    for name, kind in new.fields.items():
        how = "optional" if name in new.optional else "required"
        if name not in old.fields:
            changes.append(f"added {how} {name}: {_type_name(kind)}")
            continue
        if kind is not old.fields[name]:
            changes.append(f"retyped {name}: {_type_name(old.fields[name])} → {_type_name(kind)}")
        if (name in old.optional) != (name in new.optional):
            changes.append(f"made {name} {how}")
    changes += [f"removed {name}" for name in old.fields if name not in new.fields]
    return changes


__all__ = ["MODES", "Breakage", "Compatibility", "Consumer", "UnknownMode", "breaking_consumers", "check_mode",
           "compatibility", "consumers_of", "field_changes", "read_problems"]
