"""The five steps of choosing a pattern, as pure functions of a spec; a pattern per interaction, with reasons.

1. :func:`map_capabilities` — which team owns which capability, and which teams each interaction crosses.
2. :func:`identify_triggers` — what starts each interaction, and what that says about it.
3. :func:`define_guarantees` — what each interaction must guarantee, and what in the spec makes a
   guarantee impossible to keep (:class:`Finding` objects, kept apart from the reasons).
4. :func:`pick_patterns` — orchestrate or choreograph, per interaction, every reason naming the spec
   field it comes from. An interaction is orchestrated when one of its guarantees needs a place that
   holds each instance — a rollback over several steps (all-or-nothing with something to undo), a
   deadline, or a wait for a person — and choreographed otherwise.
5. Prototype and measure: :func:`~playground.design.measure.measure_prototype` (not a function of the spec alone).

:func:`recommend` runs steps 1–4 and returns a :class:`Recommendation`; the whole process is a
hybrid when its interactions get different patterns.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "shop", "capabilities": [
...     {"name": "orders", "team": "shop"}, {"name": "payments", "team": "money"}, {"name": "email", "team": "crm"}],
...     "interactions": [
...       {"name": "checkout", "trigger": "command", "guarantees": ["all-or-nothing"], "steps": [
...         {"name": "place", "capability": "orders", "undo": "cancel"}, {"name": "charge", "capability": "payments"}]},
...       {"name": "receipt", "trigger": "event", "after": "checkout", "steps": [
...         {"name": "send_receipt", "capability": "email"}]}]})
>>> advice = recommend(spec)
>>> advice.patterns(), advice.overall
({'checkout': 'orchestrate', 'receipt': 'choreograph'}, 'hybrid')
>>> advice.choice("checkout").reasons[0].field
'interactions[0].guarantees'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playground.design.spec import ProcessSpec

ORCHESTRATE, CHOREOGRAPH = "orchestrate", "choreograph"


class _Cited:
    """Shown as ``[field] text``: every statement about a spec says where in the spec it comes from."""

    field: str
    text: str

    def __str__(self) -> str:
        return f"[{self.field}] {self.text}"


@dataclass(frozen=True)
class Reason(_Cited):
    """One reason for a pattern: the spec field it comes from, what it says, and which way it pulls."""

    field: str
    text: str
    pulls: str  # "orchestrate", "choreograph" or "either"


@dataclass(frozen=True)
class Finding(_Cited):
    """Something in the spec that no pattern can fix: the field, and what to change."""

    field: str
    text: str


@dataclass(frozen=True)
class Choice:
    """The pattern picked for one interaction, with every reason that counted."""

    interaction: str
    pattern: str
    reasons: tuple[Reason, ...]

    def __str__(self) -> str:
        lines = [f"{self.interaction}: {self.pattern}"]
        lines += [f"  {'→' if r.pulls == self.pattern else '·'} {r}" for r in self.reasons]
        return "\n".join(lines)


# -- step 1 -------------------------------------------------------------------------
def map_capabilities(spec: ProcessSpec) -> dict[str, list[str]]:
    """Team → the capabilities it owns, in spec order."""
    teams: dict[str, list[str]] = {}
    for c in spec.capabilities:
        teams.setdefault(c.team, []).append(c.name)
    return teams


def teams_crossed(spec: ProcessSpec) -> dict[str, list[str]]:
    """Interaction → the teams owning its steps, in step order, each once."""
    return {i.name: list(dict.fromkeys(spec.team_of(s.capability) for s in i.steps)) for i in spec.interactions}


# -- step 2 -------------------------------------------------------------------------
_TRIGGER_MEANS = {
    "command": "someone asks and waits for the answer",
    "time": "a clock starts it, so nobody waits on the other end",
    "human": "a person starts it",
}


def identify_triggers(spec: ProcessSpec) -> dict[str, str]:
    """Interaction → what starts it, in words."""
    out = {}
    for i in spec.interactions:
        if i.trigger == "event":
            out[i.name] = f"event: {i.after} {i.on} (a reaction to something that already happened)"
        else:
            out[i.name] = f"{i.trigger}: {_TRIGGER_MEANS[i.trigger]}"
    return out


# -- step 3 -------------------------------------------------------------------------
def define_guarantees(spec: ProcessSpec) -> tuple[dict[str, tuple[str, ...]], list[Finding]]:
    """(interaction → its guarantees, findings: promises the spec as written cannot keep in any wiring)."""
    findings = []
    for k, i in enumerate(spec.interactions):
        if i.needs("all-or-nothing"):
            for j, step in enumerate(i.steps[:-1]):
                if step.undo is None:
                    after = i.steps[j + 1].name
                    findings.append(Finding(f"interactions[{k}].steps[{j}].undo",
                                            f"'{step.name}' cannot be undone, yet '{after}' after it can fail, so "
                                            f"{i.name} cannot be all-or-nothing; move '{step.name}' last or say how "
                                            "to undo it."))
                    break
        if i.needs("deadline"):
            need = sum(spec.capability(s.capability).latency for s in i.steps)
            if need > i.deadline:
                findings.append(Finding(f"interactions[{k}].deadline",
                                        f"{i.name}'s steps take {need:g} s on average but its deadline is "
                                        f"{i.deadline:g} s, so most instances will be cancelled in any wiring; "
                                        "raise the deadline or speed up the steps."))
    return {i.name: i.guarantees for i in spec.interactions}, findings


# -- step 4 -------------------------------------------------------------------------
def _reasons(spec: ProcessSpec, k: int) -> list[Reason]:
    i = spec.interactions[k]
    at = f"interactions[{k}]"
    reasons = []
    undoable = [s.name for s in i.steps if s.undo is not None]
    if i.needs("all-or-nothing") and len(i.steps) > 1 and undoable:
        reasons.append(Reason(f"{at}.guarantees", f"all-or-nothing over {len(i.steps)} steps, {len(undoable)} of them "
                              "undoable: one saga knows what was done and undoes it newest first", ORCHESTRATE))
    if i.needs("deadline"):
        reasons.append(Reason(f"{at}.deadline", f"an answer within {i.deadline:g} s: an orchestrator keeps a timer "
                              "per instance and gives up on time; in a choreography nobody notices silence",
                              ORCHESTRATE))
    people = [s for s in i.steps if spec.capability(s.capability).human]
    if i.needs("human decision"):
        p = people[0]
        reasons.append(Reason(f"{at}.guarantees", f"waits for a person at '{p.name}' ({p.capability}, about "
                              f"{spec.capability(p.capability).latency:g} s): the waiting instance is kept, and "
                              "asked about, in one place", ORCHESTRATE))
    strong = bool(reasons)
    if i.trigger == "event":
        reasons.append(Reason(f"{at}.trigger", f"it reacts to {i.after} being {i.on}: the producer need not know it "
                              "exists", CHOREOGRAPH))
    if not strong:
        reasons.append(Reason(f"{at}.guarantees", "no guarantee it names needs a coordinator (a rollback over "
                              "several steps, a deadline, a person's decision)", CHOREOGRAPH))
    teams = teams_crossed(spec)[i.name]
    if len(teams) > 1:
        reasons.append(Reason(f"{at}.steps", f"its steps belong to {len(teams)} teams ({', '.join(teams)}): "
                              "as reactions, each changes its own part alone"
                              + ("; orchestrated, name who owns the saga" if strong else ""), CHOREOGRAPH))
    elif strong:
        reasons.append(Reason(f"{at}.steps", f"one team ({teams[0]}) owns every step, so the saga stays its own",
                              ORCHESTRATE))
    if i.needs("audit"):
        reasons.append(Reason(f"{at}.guarantees", "audit: a saga's record answers 'where is it and why' at once; a "
                              "choreography can, if every message carries the case id", "either"))
    if i.needs("ordering"):
        reasons.append(Reason(f"{at}.guarantees", "ordering: each step is caused by the one before it in both "
                              "wirings", "either"))
    return reasons


def pick_patterns(spec: ProcessSpec) -> list[Choice]:
    """Orchestrate or choreograph, per interaction, with every reason that counted."""
    choices = []
    for k, i in enumerate(spec.interactions):
        reasons = _reasons(spec, k)
        strong = any(r.pulls == ORCHESTRATE and r.field.endswith(("guarantees", "deadline")) for r in reasons)
        choices.append(Choice(i.name, ORCHESTRATE if strong else CHOREOGRAPH, tuple(reasons)))
    return choices


@dataclass(frozen=True)
class Recommendation:
    """Steps 1–4 for one spec: the map, the triggers, the guarantees and findings, a pattern per interaction."""

    spec: ProcessSpec
    teams: dict[str, list[str]]
    triggers: dict[str, str]
    guarantees: dict[str, tuple[str, ...]]
    findings: tuple[Finding, ...]
    choices: tuple[Choice, ...]

    @property
    def overall(self) -> str:
        """``"orchestrate"``, ``"choreograph"`` or ``"hybrid"``."""
        picked = {c.pattern for c in self.choices}
        return picked.pop() if len(picked) == 1 else "hybrid"

    def patterns(self) -> dict[str, str]:
        return {c.interaction: c.pattern for c in self.choices}

    def choice(self, interaction: str) -> Choice:
        return next(c for c in self.choices if c.interaction == interaction)

    def __str__(self) -> str:
        crossed = teams_crossed(self.spec)
        lines = [f"{self.spec.name}: {self.overall}", "", "1. capabilities by team"]
        lines += [f"   {team}: {', '.join(caps)}" for team, caps in self.teams.items()]
        lines += ["", "2. triggers"]
        lines += [f"   {name}: {what}" for name, what in self.triggers.items()]
        lines += ["", "3. guarantees"]
        lines += [f"   {name}: {', '.join(g) or '(none)'} — teams {', '.join(crossed[name])}"
                  for name, g in self.guarantees.items()]
        lines += [f"   ! {f}" for f in self.findings]
        lines += ["", "4. a pattern per interaction"]
        lines += ["   " + line for c in self.choices for line in str(c).splitlines()]
        lines += ["", "5. prototype both wirings and measure them: measure_prototype(spec)"]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def recommend(spec: ProcessSpec) -> Recommendation:
    """Steps 1–4 of choosing a pattern for ``spec``."""
    guarantees, findings = define_guarantees(spec)
    return Recommendation(spec, map_capabilities(spec), identify_triggers(spec), guarantees, tuple(findings),
                          tuple(pick_patterns(spec)))
