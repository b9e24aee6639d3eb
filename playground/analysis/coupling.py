"""Change coupling: what a change to a wiring touches, and whose work that is.

A wiring is made of *definitions*: each service's code, each service's
reaction table (choreography), each saga definition (orchestration) and
each message contract a reaction table or a saga names. Every definition has an
owner — the team that must make, review and deploy a change to it. Saga
definitions belong to the orchestrator's team, whatever services they name.

:func:`footprint` fingerprints the definitions of a scenario as it would be
wired; :func:`compare` diffs two footprints into a :class:`Change` report:
which definitions were added, changed or removed, which teams own them and
which components must be redeployed. Nothing here is typed in: it is read
from the code, the reaction tables, the saga definitions and the catalog.

>>> from playground.scenarios.pipeline import data_pipeline
>>> before = data_pipeline(destinations=("warehouse",), wiring="orchestration")
>>> after = data_pipeline(destinations=("warehouse", "crm"), wiring="orchestration")
>>> change = compare(footprint(before), footprint(after), requested_by="crm")
>>> change.owners(), change.foreign_owners()
(['crm', 'orchestrator'], ['orchestrator'])
"""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache
from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any, Iterable, Mapping

from playground.catalog import CATALOG, Catalog
from playground.errors import PlaygroundError
from playground.runtime.randomness import Randomness
from playground.services.base import Service

#: Who owns the saga definitions an orchestrator runs.
ORCHESTRATOR = "orchestrator"


@dataclass(frozen=True)
class Definition:
    """One piece of a wiring that somebody owns.

    Attributes:
        kind: ``service`` (its code), ``reactions``, ``saga`` or ``contract``.
        name: the service, saga or message type it describes.
        owner: the team (component) that owns it.
        runs_in: the component that must be redeployed when it changes ("" for a contract).
        fingerprint: a short hash of its content; equal fingerprints, same definition.
    """

    kind: str
    name: str
    owner: str
    runs_in: str
    fingerprint: str

    @property
    def key(self) -> str:
        return f"{self.kind} {self.name}"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@lru_cache(maxsize=None)
def _code_hash(cls: type) -> str:
    # Reading source is slow (inspect parses the whole file) and a class object's source cannot change.
    return _hash(code_of(cls))


def code_of(cls: type) -> str:
    """The source of ``cls`` and of every class it inherits from, up to :class:`Service`."""
    parts = []
    for klass in cls.__mro__:
        if klass is Service or not issubclass(klass, Service):
            break
        # A class generated at run time has no source file; it may describe itself instead.
        generated = vars(klass).get("definition_text")
        parts.append(generated if isinstance(generated, str) else _source(klass))
    return "\n".join(parts)


@lru_cache(maxsize=None)
def _source(cls: type) -> str:
    # Classes generated afresh for every run share their written base classes: read each base's source once.
    return inspect.getsource(cls)


def _saga_text(saga: Any) -> str:
    # Every field of every stage (dataclass reprs), the trigger and the compensation policy.
    return repr((saga.name, saga.started_by, saga.key, saga.stages, saga.compensation_retry))


def footprint(scenario: Any, *, catalog: Catalog | None = None) -> dict[str, Definition]:
    """Every definition ``scenario`` is wired from, by key (e.g. ``"saga pipeline"``).

    The scenario must offer ``build_services(randomness)`` and ``definitions()``
    (a dict with ``reactions`` and ``sagas``). A message contract belongs to the
    wiring when a reaction table or a saga names it: that is what ties a
    component to another team's message. Contracts are read from ``catalog``,
    by default the scenario's own (a domain of your own has its own catalog).
    """
    catalog = catalog if catalog is not None else getattr(scenario, "catalog", CATALOG)
    definitions = getattr(scenario, "definitions", None)
    if definitions is None:
        raise PlaygroundError(f"The {getattr(scenario, 'name', 'scenario')} does not list its definitions "
                              "(a definitions() method); footprints need one.")
    parts = definitions()
    services: Mapping[str, Service] = scenario.build_services(Randomness(0))
    found: list[Definition] = []
    named: set[str] = set()
    for name, service in services.items():
        found.append(Definition("service", name, name, name, _code_hash(type(service))))
    for name, table in parts.get("reactions", {}).items():
        if table:
            found.append(Definition("reactions", name, name, name, _hash(repr(sorted(table.items())))))
            named |= set(table) | set(table.values())
    for saga in parts.get("sagas", ()):
        found.append(Definition("saga", saga.name, ORCHESTRATOR, ORCHESTRATOR, _hash(_saga_text(saga))))
        named |= saga.reply_types()
        named |= {c for s in saga.steps.values() for c in (getattr(s, "action", None), s.compensation) if c}
    for type_ in sorted(named):
        spec = catalog[type_]
        # A contract is a catalog entry, not code: changing it alone redeploys nothing.
        found.append(Definition("contract", type_, spec.owner, "", _hash(repr(spec))))
    return {d.key: d for d in found}


@dataclass(frozen=True)
class Touch:
    """One definition a change added, changed or removed."""

    how: str  # "added", "changed" or "removed"
    definition: Definition


class Change:
    """What it took to go from one footprint to another, and whose work it was."""

    def __init__(self, touches: Iterable[Touch], requested_by: str, title: str = "",
                 running: Iterable[str] = ()):
        self.touches = list(touches)
        self.requested_by = requested_by
        self.title = title
        #: components that still run after the change (a retired service is switched off, not redeployed)
        self.running = set(running)

    def owners(self) -> list[str]:
        """Every team that owns a touched definition."""
        return sorted({t.definition.owner for t in self.touches})

    def foreign_owners(self) -> list[str]:
        """Teams other than the one asking for the change that must make part of it."""
        return [o for o in self.owners() if o != self.requested_by]

    def redeploys(self) -> list[str]:
        """Components that run a touched definition and still run after the change."""
        return sorted({t.definition.runs_in for t in self.touches if t.definition.runs_in in self.running})

    def keys(self) -> list[str]:
        return [t.definition.key for t in self.touches]

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [(t.how, t.definition.kind, t.definition.name, t.definition.owner
                 + ("" if t.definition.owner == self.requested_by else "  ← another team")) for t in self.touches]

    def summary(self) -> str:
        n, teams = len(self.touches), len(self.owners())
        return (f"{n} definition{'s' * (n != 1)} touched, owned by {teams} team{'s' * (teams != 1)} "
                f"({', '.join(self.owners())}); other teams involved: {', '.join(self.foreign_owners()) or 'none'}; "
                f"redeploy: {', '.join(self.redeploys()) or 'nothing'}")

    def __str__(self) -> str:
        head = [f"{self.title or 'change'} (asked for by {self.requested_by})"]
        widths = (8, 10, 22)
        lines = [f"  {how:<{widths[0]}} {kind:<{widths[1]}} {name:<{widths[2]}} {owner}"
                 for how, kind, name, owner in self.rows()]
        return "\n".join([*head, *lines, "  " + self.summary()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in self.rows())
        return (f"<p><b>{escape(self.title or 'change')}</b> (asked for by {escape(self.requested_by)})</p>"
                "<table><thead><tr><th>how</th><th>kind</th><th>name</th><th>owner</th></tr></thead>"
                f"<tbody>{body}</tbody></table><p>{escape(self.summary())}</p>")


def compare(before: Mapping[str, Definition], after: Mapping[str, Definition], *, requested_by: str,
            title: str = "") -> Change:
    """The definitions that differ between two footprints, added first, then changed, then removed."""
    touches = [Touch("added", after[k]) for k in after if k not in before]
    touches += [Touch("changed", after[k]) for k in after if k in before and before[k] != after[k]]
    touches += [Touch("removed", before[k]) for k in before if k not in after]
    running = {d.runs_in for d in after.values() if d.kind in ("service", "saga")}
    return Change(touches, requested_by, title, running)


def hot_spots(changes: Iterable[Change]) -> list[tuple[str, str, int, list[str]]]:
    """Definitions touched by more than one change: (key, owner, how many changes, which teams asked).

    A definition every team's change runs through is the shared bottleneck.
    """
    counts: Counter = Counter()
    owners: dict[str, str] = {}
    askers: dict[str, list[str]] = {}
    for change in changes:
        for t in change.touches:
            key = t.definition.key
            counts[key] += 1
            owners[key] = t.definition.owner
            askers.setdefault(key, []).append(change.requested_by)
    return [(k, owners[k], n, askers[k]) for k, n in counts.most_common() if n > 1]
