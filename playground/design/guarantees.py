"""The spec's guarantees as invariants: functions of a run's result that list every broken promise.

Each guarantee an interaction names is checked, per instance that started
that interaction, from the trace alone (effects keyed by the instance, and the
events that start and end each interaction):

* **all-or-nothing** — after the run, either every step's effect stands (once)
  or none does;
* **ordering** — steps take effect in the spec's order, and none after the
  interaction was cancelled;
* **deadline** — the interaction had its answer within ``deadline`` simulated
  seconds of its trigger: it completed, or a step was refused or given up (the
  rollback that follows may take longer: the customer has been answered);
* **human decision** — the person was asked at most once, and no later step
  took effect without the person's approval first;
* **audit** — the interaction announced exactly one kind of end.

>>> from playground.design.spec import load_spec
>>> from playground.design.prototype import prototype
>>> from playground.analysis.invariants import check
>>> spec = load_spec({"name": "shop", "capabilities": [{"name": "orders", "team": "shop"}],
...     "interactions": [{"name": "checkout", "trigger": "command", "guarantees": ["audit", "deadline"],
...                       "deadline": 1.0, "steps": [{"name": "place", "capability": "orders"}]}]})
>>> run = prototype(spec, instances=5, seed=1).run()
>>> {name: len(found) for name, found in check(run, invariants=guarantee_checks(spec)).items() if name in spec.entry.guarantees}
{'deadline': 0, 'audit': 0}
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from typing import Any, Callable

from playground.analysis.invariants import Violation
from playground.design import messages as m
from playground.design.spec import GUARANTEES, Interaction, ProcessSpec


class _Reading:
    """What the guarantees need from one result, read from its trace once."""

    def __init__(self, spec: ProcessSpec, result: Any):
        self.effects: dict[tuple[str, str], list[Any]] = defaultdict(list)  # (effect, case) → entries
        self.sent: dict[tuple[str, str], list[Any]] = defaultdict(list)     # (type, case) → entries
        self.gave_up: dict[tuple[str, str], Any] = {}                         # (step, case) → first give-up
        for e in result.trace.entries:
            if e.kind == "effect":
                self.effects[(e.detail["effect"], e.detail["key"])].append(e)
            elif e.kind == "send" and e.correlation_id is not None:
                self.sent[(e.type, m.case_of(e.correlation_id))].append(e)
            elif e.kind == "step" and isinstance(e.detail, dict) and e.detail.get("outcome") == "failed":
                # An orchestrator gave a step up (a refusal, or no answer in time): the instance's answer is no.
                self.gave_up.setdefault((e.detail["step"], m.case_of(str(e.detail["instance"]))), e)
        self.cases = list(result.outcomes)
        self.spec = spec

    def started(self, i: Interaction) -> list[tuple[str, float]]:
        """(case, time its trigger was sent) for every instance in which ``i`` began."""
        event = m.trigger_event(self.spec, i)
        return [(c, self.sent[(event, c)][0].time) for c in self.cases if self.sent.get((event, c))]

    def net(self, step: str, case: str) -> int:
        return len(self.effects.get((step, case), ())) - len(self.effects.get((f"undo {step}", case), ()))

    def first(self, effect: str, case: str) -> Any:
        found = self.effects.get((effect, case))
        return found[0] if found else None

    def answered(self, i: Interaction, case: str) -> Any:
        """The entry at which ``i`` had its answer for ``case``: its end, a refusal, or a step given up."""
        found = self.ends(i, case)[:1]
        for s in i.steps:
            found += self.sent.get((m.failed(s), case), [])[:1]
            if (s.name, case) in self.gave_up:
                found.append(self.gave_up[(s.name, case)])
        return min(found, key=lambda e: e.seq) if found else None

    def ends(self, i: Interaction, case: str) -> list[Any]:
        return sorted(self.sent.get((m.completed(i), case), []) + self.sent.get((m.cancelled(i), case), []),
                      key=lambda e: e.seq)


def _all_or_nothing(r: _Reading, i: Interaction) -> list[Violation]:
    found = []
    for case, _ in r.started(i):
        net = {s.name: r.net(s.name, case) for s in i.steps}
        evidence = tuple(e.seq for s in i.steps for what in (s.name, f"undo {s.name}")
                         for e in r.effects.get((what, case), ()))
        twice = [s for s, n in net.items() if n > 1]
        standing = [s for s, n in net.items() if n > 0]
        if twice:
            found.append(Violation("all-or-nothing", case, f"{case}: step '{twice[0]}' of {i.name} took effect "
                                   f"{net[twice[0]]} times; make its capability idempotent.", evidence))
        elif standing and len(standing) < len(net):
            missing = [s for s in net if s not in standing]
            found.append(Violation("all-or-nothing", case, f"{case}: {i.name} left {', '.join(standing)} in effect "
                                   f"but not {', '.join(missing)}; undo what stands or finish the rest.", evidence))
    return found


def _ordering(r: _Reading, i: Interaction) -> list[Violation]:
    found = []
    for case, _ in r.started(i):
        firsts = [(s.name, r.first(s.name, case)) for s in i.steps]
        cancelled = r.sent.get((m.cancelled(i), case))
        for (before, a), (after, b) in zip(firsts, firsts[1:]):
            if b is not None and (a is None or a.seq > b.seq):
                found.append(Violation("ordering", case, f"{case}: step '{after}' of {i.name} took effect before "
                                       f"'{before}'; let '{after}' wait for '{before}'.",
                                       tuple(e.seq for e in (a, b) if e is not None)))
                break
        else:
            late = [e for _, e in firsts if e is not None and cancelled and e.seq > cancelled[0].seq]
            if late:
                found.append(Violation("ordering", case, f"{case}: step '{late[0].detail['effect']}' of {i.name} "
                                       "took effect after the interaction was cancelled; refuse steps of a cancelled "
                                       "instance.", (cancelled[0].seq, late[0].seq)))
    return found


def _deadline(r: _Reading, i: Interaction) -> list[Violation]:
    found = []
    for case, start in r.started(i):
        answer = r.answered(i, case)
        if answer is None:
            found.append(Violation("deadline", case, f"{case}: {i.name} never had an answer, so it missed its "
                                   f"{i.deadline:g} s deadline; give its steps timeouts.", ()))
        elif answer.time - start > i.deadline + 1e-9:
            found.append(Violation("deadline", case, f"{case}: {i.name} had its answer {answer.time - start:.2f} s "
                                   f"after it began, over its {i.deadline:g} s deadline; give up on slow steps in "
                                   "time.", (answer.seq,)))
    return found


def _human_decision(r: _Reading, i: Interaction) -> list[Violation]:
    found = []
    people = [k for k, s in enumerate(i.steps) if r.spec.capability(s.capability).human]
    for case, _ in r.started(i):
        for k in people:
            step = i.steps[k].name
            asked = r.effects.get((f"ask {step}", case), [])
            approved = r.first(step, case)
            if len(asked) > 1:
                found.append(Violation("human decision", case, f"{case}: a person was asked to decide '{step}' "
                                       f"{len(asked)} times; ask once per instance.", tuple(e.seq for e in asked)))
                break
            later = [r.first(s.name, case) for s in i.steps[k + 1:]]
            early = [e for e in later if e is not None and (approved is None or e.seq < approved.seq)]
            if early:
                found.append(Violation("human decision", case, f"{case}: '{early[0].detail['effect']}' took effect "
                                       f"without an approval of '{step}' first; wait for the person's decision.",
                                       (early[0].seq,)))
                break
    return found


def _audit(r: _Reading, i: Interaction) -> list[Violation]:
    found = []
    for case, _ in r.started(i):
        kinds = {e.type for e in r.ends(i, case)}
        if len(kinds) != 1:
            what = "no end" if not kinds else "both ends (" + " and ".join(sorted(kinds)) + ")"
            found.append(Violation("audit", case, f"{case}: {i.name} recorded {what}; every instance must say "
                                   "once how it ended.", tuple(e.seq for e in r.ends(i, case))))
    return found


_CHECKS = {"all-or-nothing": _all_or_nothing, "ordering": _ordering, "deadline": _deadline,
           "human decision": _human_decision, "audit": _audit}


def guarantee_checks(spec: ProcessSpec) -> list[Callable[[Any], list[Violation]]]:
    """One invariant per guarantee any interaction of ``spec`` names, for ``check(result, invariants=...)``."""
    checks = []
    last: list[Any] = [None, None]  # (weak reference to the result read last, its reading): one reading per result

    def read(result: Any) -> _Reading:
        if last[0] is not None and last[0]() is result:
            return last[1]
        reading = _Reading(spec, result)
        try:
            last[:] = [weakref.ref(result), reading]
        except TypeError:  # a result that takes no weak reference is read again by every check
            pass
        return reading

    for guarantee in GUARANTEES:
        needing = [i for i in spec.interactions if i.needs(guarantee)]
        if not needing:
            continue

        def invariant(result: Any, needing: list[Interaction] = needing, rule=_CHECKS[guarantee]) -> list[Violation]:
            return [v for i in needing for v in rule(read(result), i)]

        invariant.__name__ = guarantee.replace(" ", "_").replace("-", "_")
        invariant.__doc__ = f"The spec's {guarantee!r} guarantee, for {', '.join(i.name for i in needing)}."
        checks.append(invariant)
    return checks


def broken_guarantees(spec: ProcessSpec, result: Any) -> dict[str, list[Violation]]:
    """Every guarantee ``spec`` names (spelt as in the spec) → its violations in ``result``."""
    reading = _Reading(spec, result)
    return {g: [v for i in spec.interactions if i.needs(g) for v in _CHECKS[g](reading, i)]
            for g in GUARANTEES if any(i.needs(g) for i in spec.interactions)}
