"""A process described as plain data: who owns what, what starts each interaction, what it must guarantee.

A :class:`ProcessSpec` is what a team would put on a whiteboard before choosing
a pattern: its **capabilities** (each owned by a team, each taking some time
per call), and its **interactions** (each started by a trigger, made of steps
that call capabilities, and carrying the guarantees the business needs).
Build one from a dict or a JSON file with :func:`load_spec`; everything is
checked at once, and a spec that cannot be prototyped is refused with one
sentence naming the field and what to do.

>>> spec = load_spec({
...     "name": "claims",
...     "capabilities": [{"name": "claims", "team": "claims desk", "latency": 0.1},
...                      {"name": "payouts", "team": "finance", "latency": 0.3}],
...     "interactions": [{"name": "claim", "trigger": "command", "guarantees": ["all-or-nothing"],
...                       "steps": [{"name": "file", "capability": "claims", "undo": "close the claim"},
...                                 {"name": "pay", "capability": "payouts"}]}]})
>>> spec.entry.name, [s.name for s in spec.entry.steps], spec.team_of("payouts")
('claim', ['file', 'pay'], 'finance')
>>> load_spec({"name": "x", "capabilities": [], "interactions": []})
Traceback (most recent call last):
...
playground.design.spec.SpecError: The spec's capabilities is empty; list at least one capability as {"name": ..., "team": ..., "latency": ...}.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from playground.errors import PlaygroundError
from playground.orchestration.steps import RESERVED
from playground.runtime.checks import is_number

#: What can start an interaction: a request someone sends, a fact another interaction announces,
#: a clock, or a person deciding to begin.
TRIGGERS = ("command", "event", "time", "human")
#: The guarantees an interaction can require.
GUARANTEES = ("all-or-nothing", "ordering", "deadline", "human decision", "audit")
#: Who sends the request that starts the entry interaction, per trigger.
ACTORS = {"command": "customers", "time": "scheduler", "human": "staff"}
#: The most interactions one spec may have (each has a key field in every message of the prototype).
MAX_INTERACTIONS = 8
#: Names the generated prototype uses itself; no capability may take them.
TAKEN = ("orchestrator", *ACTORS.values())


class SpecError(PlaygroundError, ValueError):
    """A process spec that cannot be prototyped as written; the message names the field and the fix."""


@dataclass(frozen=True)
class Capability:
    """A business capability: its service name, the team that owns it and how long one call takes.

    Attributes:
        latency: mean simulated seconds per call (calls take between half and one and a half times it).
        fails: share of calls refused for a business reason (a declined card, a rejected application).
        human: a person does this work (it is asked once per instance and decides).
        idempotent: a repeated call is answered from memory instead of being done again.
    """

    name: str
    team: str
    latency: float = 0.1
    fails: float = 0.0
    human: bool = False
    idempotent: bool = True


@dataclass(frozen=True)
class Task:
    """One step of an interaction: the capability it calls and, if it can be undone, how."""

    name: str
    capability: str
    undo: str | None = None


@dataclass(frozen=True)
class Interaction:
    """What happens between capabilities when one trigger fires.

    Attributes:
        trigger: one of :data:`TRIGGERS`; ``"event"`` means another interaction's end (``after``, ``on``).
        steps: the tasks, in order.
        guarantees: names from :data:`GUARANTEES`.
        deadline: simulated seconds within which the interaction must reach an answer (with ``"deadline"``).
        after: (event triggers) the interaction whose end starts this one.
        on: (event triggers) ``"completed"`` or ``"cancelled"``: which end of ``after``.
    """

    name: str
    trigger: str
    steps: tuple[Task, ...]
    guarantees: tuple[str, ...] = ()
    deadline: float | None = None
    after: str | None = None
    on: str = "completed"

    def needs(self, guarantee: str) -> bool:
        return guarantee in self.guarantees


@dataclass(frozen=True)
class ProcessSpec:
    """A whole process: its capabilities and its interactions (exactly one of them started from outside)."""

    name: str
    capabilities: tuple[Capability, ...]
    interactions: tuple[Interaction, ...]
    description: str = ""
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def entry(self) -> Interaction:
        """The interaction the outside world starts (the one not triggered by an event)."""
        return next(i for i in self.interactions if i.trigger != "event")

    def capability(self, name: str) -> Capability:
        return next(c for c in self.capabilities if c.name == name)

    def interaction(self, name: str) -> Interaction:
        return next(i for i in self.interactions if i.name == name)

    def team_of(self, capability: str) -> str:
        return self.capability(capability).team

    def followers(self, interaction: str) -> list[Interaction]:
        """Interactions an end of ``interaction`` starts, in spec order."""
        return [i for i in self.interactions if i.after == interaction]

    def describe(self) -> str:
        """The spec in a few lines: each capability with its team, each interaction with its trigger, steps, guarantees.

        >>> print(load_spec({"name": "p", "capabilities": [{"name": "bank", "team": "money", "fails": 0.1}],
        ...     "interactions": [{"name": "pay", "trigger": "command", "guarantees": ["audit"],
        ...                       "steps": [{"name": "charge", "capability": "bank", "undo": "refund"}]}]}).describe())
        p
          capability bank          team money, 0.1 s a call, refuses 10%
          interaction pay          on command: charge@bank (undo: refund); guarantees audit
        """
        lines = [self.name + (f": {self.description}" if self.description else "")]
        for c in self.capabilities:
            extra = [f"refuses {c.fails:.0%}"] * (c.fails > 0) + ["a person"] * c.human + \
                ["not idempotent"] * (not c.idempotent)
            lines.append(f"  capability {c.name:<13} team {c.team}, {c.latency:g} s a call"
                         + "".join(f", {e}" for e in extra))
        for i in self.interactions:
            trigger = f"when {i.after} is {i.on}" if i.trigger == "event" else f"on {i.trigger}"
            steps = " → ".join(f"{s.name}@{s.capability}" + (f" (undo: {s.undo})" if s.undo else "") for s in i.steps)
            promises = ", ".join(i.guarantees) or "none"
            deadline = f" within {i.deadline:g} s" if i.deadline is not None else ""
            lines.append(f"  interaction {i.name:<12} {trigger}: {steps}; guarantees {promises}{deadline}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data, in the shape :func:`load_spec` reads (defaults left out)."""
        def plain(obj: Any, defaults: Any) -> dict[str, Any]:
            return {k: v for k, v in vars(obj).items() if v != getattr(defaults, k, object())}
        caps = [plain(c, Capability("", "")) | {"name": c.name, "team": c.team} for c in self.capabilities]
        inters = []
        for i in self.interactions:
            row = plain(i, Interaction("", "", ()))
            row |= {"name": i.name, "trigger": i.trigger, "steps": [plain(s, Task("", "")) | {"name": s.name,
                    "capability": s.capability} for s in i.steps]}
            if "guarantees" in row:
                row["guarantees"] = list(row["guarantees"])
            inters.append(row)
        out = {"name": self.name, "capabilities": caps, "interactions": inters}
        return ({"description": self.description} | out) if self.description else out

    def replace(self, **changes: Any) -> "ProcessSpec":
        """A copy with some top-level fields changed, checked again."""
        return load_spec(replace(self, **changes).to_dict())


# -- reading and checking ------------------------------------------------------
def _refuse(path: str, problem: str) -> None:
    raise SpecError(f"The spec's {path} {problem}.")


def _fields(path: str, given: Any, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(given, Mapping):
        _refuse(path, f"must be a mapping of fields such as {{{', '.join(repr(r) + ': ...' for r in required)}}}, "
                      f"not {type(given).__name__}")
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"rename it to {close[0]!r}" if close else f"use only {', '.join(allowed)}"
            _refuse(f"{path}.{key}", f"is not a field of this part of a spec; {hint}")
    for key in required:
        if key not in given:
            _refuse(path, f"has no {key!r}; add it")
    return dict(given)


def _name(path: str, value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier() or not value.islower():
        _refuse(path, f"must be a short lower-case name like 'payments' (letters, digits, _), not {value!r}")
    return value


def _text(path: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        _refuse(path, f"must be a non-empty text, not {value!r}")
    return value


def _list(path: str, value: Any, example: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        _refuse(path, f"must be a list, not {type(value).__name__}")
    if not value:
        _refuse(path, f"is empty; list at least one {example}")
    return list(value)


def _one_of(path: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        close = difflib.get_close_matches(str(value), list(choices), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        _refuse(path, f"is {value!r}, which is not one of {', '.join(choices)}{hint}")
    return value


def _capability(path: str, given: Any) -> Capability:
    row = _fields(path, given, ("name", "team", "latency", "fails", "human", "idempotent"), ("name", "team"))
    name = _name(f"{path}.name", row["name"])
    if name in TAKEN:
        _refuse(f"{path}.name", f"is {name!r}, a name the prototype uses itself; call the capability something else")
    latency = row.get("latency", 0.1)
    if not is_number(latency) or latency <= 0:
        _refuse(f"{path}.latency", f"must be a number of simulated seconds above 0, not {latency!r}")
    fails = row.get("fails", 0.0)
    if not is_number(fails) or not 0 <= fails < 1:
        _refuse(f"{path}.fails", f"must be a share from 0 up to (not including) 1, not {fails!r}")
    for flag in ("human", "idempotent"):
        if not isinstance(row.get(flag, True), bool):
            _refuse(f"{path}.{flag}", f"must be true or false, not {row[flag]!r}")
    return Capability(name, _text(f"{path}.team", row["team"]), float(latency), float(fails),
                      row.get("human", False), row.get("idempotent", True))


def _task(path: str, given: Any, capabilities: list[str]) -> Task:
    row = _fields(path, given, ("name", "capability", "undo"), ("name", "capability"))
    name = _name(f"{path}.name", row["name"])
    if name in RESERVED:
        _refuse(f"{path}.name", f"is {name!r}, which names a state every saga has ({', '.join(RESERVED)}); rename it")
    capability = _one_of(f"{path}.capability", row["capability"], capabilities)
    undo = row.get("undo")
    if undo is not None:
        _text(f"{path}.undo", undo)
    return Task(name, capability, undo)


def _interaction(path: str, given: Any, capabilities: list[str]) -> Interaction:
    row = _fields(path, given, ("name", "trigger", "steps", "guarantees", "deadline", "after", "on"),
                  ("name", "trigger", "steps"))
    name = _name(f"{path}.name", row["name"])
    if name == "case":
        _refuse(f"{path}.name", "is 'case', the field every message uses for its instance; rename the interaction")
    trigger = _one_of(f"{path}.trigger", row["trigger"], TRIGGERS)
    steps = tuple(_task(f"{path}.steps[{k}]", s, capabilities)
                  for k, s in enumerate(_list(f"{path}.steps", row["steps"], 'step as {"name": ..., "capability": ...}')))
    guarantees = row.get("guarantees", [])
    if not isinstance(guarantees, (list, tuple)):
        _refuse(f"{path}.guarantees", f"must be a list of {', '.join(GUARANTEES)}, not {guarantees!r}")
    for k, g in enumerate(guarantees):
        _one_of(f"{path}.guarantees[{k}]", g, GUARANTEES)
    deadline = row.get("deadline")
    if "deadline" in guarantees and deadline is None:
        _refuse(f"{path}.deadline", "is missing although the guarantees name 'deadline'; give it in simulated seconds")
    if deadline is not None:
        if "deadline" not in guarantees:
            _refuse(f"{path}.deadline", "is given but the guarantees do not name 'deadline'; add it or drop the deadline")
        if not is_number(deadline) or deadline <= 0:
            _refuse(f"{path}.deadline", f"must be a number of simulated seconds above 0, not {deadline!r}")
    after, on = row.get("after"), row.get("on", "completed")
    if trigger == "event" and after is None:
        _refuse(f"{path}.after", "is missing; an interaction triggered by an event names the interaction whose end "
                                 "starts it")
    if trigger != "event" and ("after" in row or "on" in row):
        _refuse(f"{path}.after", f"is given for a {trigger!r} trigger; only event triggers follow another interaction")
    _one_of(f"{path}.on", on, ("completed", "cancelled"))
    return Interaction(name, trigger, steps, tuple(dict.fromkeys(guarantees)),
                       float(deadline) if deadline is not None else None, after, on)


def _unique(path: str, names: list[str], what: str) -> None:
    seen: set[str] = set()
    for k, name in enumerate(names):
        if name in seen:
            _refuse(f"{path}[{k}].name", f"repeats the {what} name {name!r}; give every {what} its own name")
        seen.add(name)


def _whole(spec: ProcessSpec) -> None:
    """Checks across interactions: one entry, known predecessors, no loops, a reaction table can express it."""
    inters = spec.interactions
    names = [i.name for i in inters]
    entries = [k for k, i in enumerate(inters) if i.trigger != "event"]
    if not entries:
        _refuse("interactions", "has no interaction started from outside; give one a trigger of command, time or human")
    if len(entries) > 1:
        _refuse(f"interactions[{entries[1]}].trigger", f"starts a second interaction from outside (the first is "
                f"{inters[entries[0]].name!r}); trigger it by an event with after= or describe it as its own process")
    all_steps: list[str] = []
    for a, i in enumerate(inters):
        for b, s in enumerate(i.steps):
            if s.name in all_steps:
                _refuse(f"interactions[{a}].steps[{b}].name",
                        f"repeats the step name {s.name!r}; step names must differ across the whole spec")
            all_steps.append(s.name)
    clash = set(all_steps) & set(names)
    if clash:
        _refuse("interactions", f"use {sorted(clash)[0]!r} both as an interaction and as a step name; rename one")
    for k, i in enumerate(inters):
        if i.after is not None:
            _one_of(f"interactions[{k}].after", i.after, [n for n in names if n != i.name])
        human = [s.name for s in i.steps if spec.capability(s.capability).human]
        if i.needs("human decision") and not human:
            _refuse(f"interactions[{k}].guarantees", "names 'human decision' but no step calls a human capability; "
                    "mark the deciding capability \"human\": true or drop the guarantee")
    for k, i in enumerate(inters):  # every event-triggered interaction must reach back to the entry
        seen, at = {i.name}, i
        while at.after is not None:
            at = spec.interaction(at.after)
            if at.name in seen:
                _refuse(f"interactions[{k}].after", f"makes a loop ({i.name!r} waits for itself); break it")
            seen.add(at.name)
    starts: dict[tuple, str] = {}
    for k, i in enumerate(inters):
        if i.after is None:
            continue
        key = (i.after, i.on, i.steps[0].capability)
        if key in starts:
            _refuse(f"interactions[{k}].steps[0].capability",
                    f"starts {i.name!r} at {key[2]!r} when {i.after!r} is {i.on}, like {starts[key]!r}; a reaction "
                    "table runs one command per event, so give one of them another first capability or merge them")
        starts[key] = i.name


def load_spec(source: "Mapping[str, Any] | ProcessSpec | str | os.PathLike") -> ProcessSpec:
    """Read and check a spec from a dict, a JSON file (a path) or a :class:`ProcessSpec` (checked again)."""
    if isinstance(source, ProcessSpec):
        source = source.to_dict()
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8") as handle:
                source = json.load(handle)
        except FileNotFoundError:
            raise SpecError(f"There is no spec file at {os.fspath(source)!r}; check the name and the folder.") from None
        except json.JSONDecodeError as bad:
            raise SpecError(f"The spec file is not valid JSON (line {bad.lineno}: {bad.msg}); fix it there.") from None
    row = _fields("top level", source, ("name", "description", "capabilities", "interactions"),
                  ("name", "capabilities", "interactions"))
    name = _name("name", row["name"])
    caps = [_capability(f"capabilities[{k}]", c) for k, c in
            enumerate(_list("capabilities", row["capabilities"],
                            'capability as {"name": ..., "team": ..., "latency": ...}'))]
    _unique("capabilities", [c.name for c in caps], "capability")
    known = [c.name for c in caps]
    inters = [_interaction(f"interactions[{k}]", i, known) for k, i in
              enumerate(_list("interactions", row["interactions"],
                              'interaction as {"name": ..., "trigger": ..., "steps": [...]}'))]
    _unique("interactions", [i.name for i in inters], "interaction")
    if len(inters) > MAX_INTERACTIONS:
        _refuse("interactions", f"has {len(inters)} entries, more than the {MAX_INTERACTIONS} a prototype takes; "
                                "split the process into smaller ones")
    spec = ProcessSpec(name, tuple(caps), tuple(inters), row.get("description", ""))
    _whole(spec)
    return spec
