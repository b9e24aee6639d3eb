"""A governed catalog: every version of every contract, an owner and a compatibility mode for each.

This is what a schema registry adds to a list of schemas. A new version is
reviewed before it may ship: its owner must be the contract's owner, its
version must be the next one, the contract's mode must hold (see
:mod:`playground.contracts.compatibility`) and no consumer may break — the
consumers found from the reaction tables and, when a run is given, from its
traffic. :meth:`ContractRegistry.gate` reviews a whole proposed catalog at
once, which is what a merge check runs.

It works on any catalog — the playground's own or one you build — and
:meth:`ContractRegistry.catalog` hands the latest versions back as a
:class:`~playground.catalog.base.Catalog` for a run.

>>> v1 = MessageSpec("ParcelWeighed", "event", "warehouse", {"parcel_id": str, "weight_kg": float}, "A parcel was weighed.")
>>> bill = MessageSpec("BillParcel", "command", "billing", {"parcel_id": str, "weight_kg": float}, "Charge for a parcel.")
>>> registry = ContractRegistry([v1, bill], reactions={"billing": {"ParcelWeighed": "BillParcel"}})
>>> renamed = replace(v1, version=2, fields={"parcel_id": str, "weight_g": int})
>>> print(registry.review(renamed))
ParcelWeighed version 2 (warehouse, BACKWARD): refused
  changes: added required weight_g: a whole number; removed weight_kg
  version 2 cannot read version 1: field 'weight_g' is required but version 1 does not have it
  would break billing (BillParcel, seen in reactions): field 'weight_kg' is required but version 2 does not have it
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from playground.catalog.base import Catalog, MessageSpec
from playground.contracts.compatibility import (Breakage, Compatibility, breaking_consumers, check_mode,
                                                compatibility, field_changes, read_problems)
from playground.errors import PlaygroundError


class ContractRefused(PlaygroundError, ValueError):
    """A new contract version that may not ship; the message says why and who would break."""


@dataclass(frozen=True)
class Review:
    """The verdict on one proposed version: governance, the mode, and the consumers it would break."""

    new: MessageSpec
    previous: MessageSpec | None
    mode: str
    governance: list[str] = field(default_factory=list)
    compatibility: Compatibility | None = None
    breaks: list[Breakage] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.governance or self.breaks or self.unreadable
                    or (self.compatibility is not None and not self.compatibility.ok))

    @property
    def broken(self) -> list[str]:
        """Names of the consumers this version would break."""
        return sorted({b.consumer.name for b in self.breaks})

    def lines(self) -> list[str]:
        lines = [*self.governance]
        if self.previous is not None and self.previous.version != self.new.version:
            lines.append("changes: " + ("; ".join(field_changes(self.previous, self.new)) or "none to the fields"))
        if self.compatibility is not None:
            lines += self.compatibility.problems
        lines += [f"would break {b}" for b in self.breaks]
        lines += self.unreadable
        return lines

    def sentence(self) -> str:
        """One sentence for an error message: what is refused, why, who would break, and what to do."""
        reasons = [*self.governance, *(self.compatibility.problems[:1] if self.compatibility else [])]
        reasons += [f"it would break {b}" for b in self.breaks] + self.unreadable
        if self.new.kind == "command":
            advice = "Take each field some version of the event lacks as optional, and use whichever one arrives."
        elif not self.breaks and any(p.endswith("may leave it out") for p in reasons):
            advice = "A field that an earlier version may leave out cannot become required; keep it optional."
        else:
            advice = ("Add a new field as optional beside the old one, let every consumer move to it, "
                      "then remove the old one.")
        return f"{self.new.name} version {self.new.version} cannot ship under {self.mode}: {'; '.join(reasons)}. {advice}"

    def __str__(self) -> str:
        head = f"{self.new.name} version {self.new.version} ({self.new.owner}, {self.mode}): "
        return "\n".join([head + ("compatible" if self.ok else "refused"), *(f"  {line}" for line in self.lines())])

    __repr__ = __str__


class ContractRegistry:
    """Versions, owners and modes of contracts, plus who consumes them.

    Args:
        specs: the first registered version of each contract (a Catalog works).
        mode: the default compatibility mode (``BACKWARD``, as in Confluent's registry).
        reactions: service → {event: command}; each consumer's command is its reader schema.
        modes: per-contract modes that differ from the default.
    """

    def __init__(self, specs: Iterable[MessageSpec] = (), *, mode: str = "BACKWARD",
                 reactions: Mapping[str, Mapping[str, str]] | None = None, modes: Mapping[str, str] | None = None):
        self.mode = check_mode(mode)
        self.reactions = {s: dict(t) for s, t in (reactions or {}).items()}
        self._versions: dict[str, list[MessageSpec]] = {}
        self._modes = {name: check_mode(m) for name, m in (modes or {}).items()}
        for spec in specs:
            self._versions.setdefault(spec.name, []).append(spec)

    # -- reading ---------------------------------------------------------
    def versions(self, name: str) -> list[MessageSpec]:
        """Every registered version of ``name``, oldest first."""
        if name not in self._versions:
            raise PlaygroundError(f"No contract called '{name}' is registered; check the spelling or register it first.")
        return list(self._versions[name])

    def latest(self, name: str) -> MessageSpec:
        return self.versions(name)[-1]

    def mode_of(self, name: str) -> str:
        return self._modes.get(name, self.mode)

    def set_mode(self, name: str, mode: str) -> None:
        self._modes[name] = check_mode(mode)

    def catalog(self, **pinned: int) -> Catalog:
        """The latest version of every contract, as a catalog a run can use.

        ``pinned`` picks older versions by name, e.g. ``catalog(ParcelWeighed=1)``
        for a run in which the producer still writes version 1.
        """
        chosen = []
        for name, versions in self._versions.items():
            if name not in pinned:
                chosen.append(versions[-1])
                continue
            found = [v for v in versions if v.version == pinned[name]]
            if not found:
                raise PlaygroundError(f"{name} has no registered version {pinned[name]!r}; it has "
                                      f"{', '.join(str(v.version) for v in versions)}.")
            chosen.append(found[-1])
        unknown = sorted(set(pinned) - set(self._versions))
        if unknown:
            raise PlaygroundError(f"No contract called '{unknown[0]}' is registered; check the spelling.")
        return Catalog(chosen)

    # -- reviewing -------------------------------------------------------
    def review(self, spec: MessageSpec, *, traffic: Any = None) -> Review:
        """Judge ``spec`` as the next version of its contract, without registering it."""
        if not isinstance(spec, MessageSpec):
            raise PlaygroundError(f"A contract must be a MessageSpec(...), not {type(spec).__name__}.")
        mode = self.mode_of(spec.name)
        history = self._versions.get(spec.name, [])
        previous = history[-1] if history else None
        if previous is None:
            return Review(spec, None, mode, unreadable=self._unreadable(spec))
        governance = []
        if spec.owner != previous.owner:
            governance.append(f"{spec.name} is owned by {previous.owner}; a new owner is a decision to record, "
                              f"not a new version by {spec.owner}")
        if spec.version != previous.version + 1:
            governance.append(f"the next version of {spec.name} is {previous.version + 1}, not {spec.version}")
        if spec.kind != previous.kind:
            governance.append(f"{spec.name} is a {previous.kind}; it cannot become a {spec.kind}")
        catalog = Catalog([*(v[-1] for n, v in self._versions.items() if n != spec.name), spec])
        breaks = breaking_consumers(spec, catalog, reactions=self.reactions, traffic=traffic) if spec.kind == "event" else []
        return Review(spec, previous, mode, governance, compatibility(spec, history, mode), breaks,
                      self._unreadable(spec))

    def _unreadable(self, spec: MessageSpec) -> list[str]:
        """For a command: the events it is fed (by the reaction tables) that it cannot read."""
        if spec.kind != "command":
            return []
        problems = []
        for service, table in self.reactions.items():
            for event, command in table.items():
                if command == spec.name and event in self._versions:
                    for old in self._versions[event]:
                        reader = replace(old, fields=dict(spec.fields), optional=frozenset(spec.optional))
                        problems += [f"{service}'s {spec.name} cannot read {event} version {old.version}: {p}"
                                     for p in read_problems(reader, old)]
        return problems

    def register(self, spec: MessageSpec, *, traffic: Any = None) -> Review:
        """Register ``spec`` if its review passes; otherwise :class:`ContractRefused` in one sentence."""
        review = self.review(spec, traffic=traffic)
        if not review.ok:
            raise ContractRefused(review.sentence())
        self._versions.setdefault(spec.name, []).append(spec)
        return review

    def react(self, service: str, table: Mapping[str, str]) -> None:
        """Record that ``service`` now reacts as ``table`` says (a consumer moved or joined)."""
        self.reactions[service] = dict(table)

    def gate(self, proposed: Iterable[MessageSpec], *, traffic: Any = None) -> list[Review]:
        """Review every contract of ``proposed`` that differs from its latest registered version.

        A proposed catalog is what a branch wants to merge; a merge check
        fails when any review in the answer is not ``ok``.
        """
        reviews = []
        for spec in proposed:
            history = self._versions.get(spec.name)
            if history is None or history[-1] != spec:
                reviews.append(self.review(spec, traffic=traffic))
        return reviews

    def require(self, proposed: Iterable[MessageSpec], *, traffic: Any = None) -> list[Review]:
        """:meth:`gate` for a test: :class:`ContractRefused` naming every refused version, else the reviews."""
        reviews = self.gate(proposed, traffic=traffic)
        refused = [r for r in reviews if not r.ok]
        if refused:
            raise ContractRefused(" ".join(r.sentence() for r in refused))
        return reviews

    def mismatches(self) -> list[str]:
        """Every reaction whose command cannot read the latest version of the event it is fed (empty when none)."""
        latest = self.catalog()
        problems = []
        for service, table in self.reactions.items():
            for event, command in table.items():
                if event not in latest or command not in latest:
                    problems.append(f"{service} reacts to {event} with {command}, which the catalog does not declare")
                    continue
                reader = replace(latest[event], fields=dict(latest[command].fields),
                                 optional=frozenset(latest[command].optional))
                problems += [f"{service}'s {command} cannot read {event}: {p}"
                             for p in read_problems(reader, latest[event])]
        return problems


__all__ = ["ContractRefused", "ContractRegistry", "Review"]
