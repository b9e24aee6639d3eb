"""One service per capability of a spec, generated: the skeleton a team would write first.

Each generated service handles its steps' commands, their undo commands and
(for the first capability of an interaction) the commands that announce the
interaction's end. A step either takes effect — recorded in the trace as an
effect keyed by the instance — or is refused for a business reason, decided
by the run's draw for the step and the instance (``Randomness.draw``), so
both wirings see the same refusals. A human capability also records each time a
person is asked.

An **idempotent** capability (the default) remembers what it answered per
instance: a repeated command gets the same reply without a second effect,
and an undo that arrives before its step leaves a tombstone, so the late step
is refused instead of taking effect. A capability marked ``idempotent: false``
does neither, as a first draft often does.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "p", "capabilities": [{"name": "payments", "team": "money"}],
...                   "interactions": [{"name": "checkout", "trigger": "command",
...                                     "steps": [{"name": "charge", "capability": "payments", "undo": "refund"}]}]})
>>> from playground.runtime.randomness import Randomness
>>> payments = capability_services(spec, randomness=Randomness(1))["payments"]
>>> payments.handle("Charge", {"case": "c-1"}), payments.handle("Charge", {"case": "c-1"})[0].type
([Emit(type='ChargeDone', payload={'case': 'c-1'})], 'ChargeDone')
>>> [n.detail["effect"] for n in payments.take_notes()]
['charge']
"""

from __future__ import annotations

from typing import Any, Callable

from playground.catalog import Catalog
from playground.design import messages as m
from playground.design.spec import Capability, Interaction, ProcessSpec, Task
from playground.runtime.latency import Uniform
from playground.runtime.randomness import Randomness
from playground.services.base import Emit, Service, emit, handles


def refused(randomness: Randomness, step: Task, case: str, share: float) -> bool:
    """Whether ``step`` is refused for ``case``: the same answer in every wiring and every process."""
    return share > 0 and randomness.draw(f"refusal:{step.name}:{case}") < share


class CapabilityService(Service):
    """Behaviour shared by every generated capability; :func:`capability_services` makes one class per capability."""

    spec_capability: Capability

    def __init__(self, *, randomness: Randomness, **kwargs: Any):
        super().__init__(**kwargs)
        self.randomness = randomness
        self.answers: dict[tuple[str, str], str] = {}   # (step, case) → the reply already given
        self.standing: dict[tuple[str, str], int] = {}  # (step, case) → effects not undone
        self.tombstones: set[tuple[str, str]] = set()   # undone before the step itself arrived

    def _do(self, step: Task, fields: dict[str, Any]) -> list[Emit]:
        case, memo = fields[m.CASE], self.spec_capability.idempotent
        key = (step.name, case)
        if memo and key in self.answers:
            return [emit(self.answers[key], **fields)]
        if self.spec_capability.human:
            self.note_effect(f"ask {step.name}", case)
        if (memo and key in self.tombstones) or refused(self.randomness, step, case, self.spec_capability.fails):
            reply = m.failed(step)
        else:
            self.note_effect(step.name, case)
            self.standing[key] = self.standing.get(key, 0) + 1
            reply = m.done(step)
        self.answers[key] = reply
        return [emit(reply, **fields)]

    def _undo(self, step: Task, fields: dict[str, Any]) -> list[Emit]:
        case = fields[m.CASE]
        key = (step.name, case)
        if self.standing.get(key, 0) > 0:
            self.note_effect(f"undo {step.name}", case)
            self.standing[key] -= 1
        elif self.spec_capability.idempotent and key not in self.answers:
            self.tombstones.add(key)  # the step may still arrive: refuse it then
        return [emit(m.undone(step), **fields)]

    def _say(self, event: str, fields: dict[str, Any]) -> list[Emit]:
        return [emit(event, **fields)]


def _handler(command: str, body: Callable[[CapabilityService, dict[str, Any]], list[Emit]]) -> Callable:
    def run(self: CapabilityService, **fields: Any) -> list[Emit]:
        return body(self, fields)

    run.__name__ = f"handle_{command}"
    return handles(command)(run)


def service_class(spec: ProcessSpec, capability: Capability, catalog: Catalog) -> type[CapabilityService]:
    """The service class of ``capability``: one handler per command it owns."""
    methods: dict[str, Any] = {"name": capability.name, "spec_capability": capability, "catalog": catalog}
    lines = [f"capability {capability.name} (team {capability.team}), idempotent={capability.idempotent}, "
             f"human={capability.human}, fails={capability.fails}"]

    def add(command: str, body: Callable) -> None:
        methods[f"handle_{command}"] = _handler(command, body)
        lines.append(command)

    for interaction in spec.interactions:
        for step in interaction.steps:
            if step.capability != capability.name:
                continue
            add(m.do(step), lambda self, f, s=step: self._do(s, f))
            if step.undo is not None:
                add(m.undo(step), lambda self, f, s=step: self._undo(s, f))
        if interaction.steps[0].capability == capability.name:
            _announcers(interaction, add)
    # What the coupling analysis fingerprints for a generated class (it has no source file).
    methods["definition_text"] = "\n".join(lines)
    return type(f"{m.camel(capability.name)}Service", (CapabilityService,), methods)


def _announcers(interaction: Interaction, add: Callable) -> None:
    add(m.finish(interaction), lambda self, f, i=interaction: self._say(m.completed(i), f))
    add(m.cancel(interaction), lambda self, f, i=interaction: self._say(m.cancelled(i), f))


def latency_of(capability: Capability) -> Uniform:
    """Calls take between half and one and a half times the capability's latency."""
    return Uniform(capability.latency * 0.5, capability.latency * 1.5)


def capability_services(spec: ProcessSpec, *, randomness: Randomness, catalog: Catalog | None = None,
                        latency: dict[str, Any] | None = None) -> dict[str, CapabilityService]:
    """Fresh services for one run, by capability name (``latency`` overrides a capability's distribution)."""
    catalog = catalog if catalog is not None else m.spec_catalog(spec)
    return {c.name: service_class(spec, c, catalog)(randomness=randomness, latency=(latency or {}).get(c.name, latency_of(c)))
            for c in spec.capabilities}
