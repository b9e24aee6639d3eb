"""Saga definitions as data: steps, their compensations, timeouts, retries, parallel groups, approvals.

A definition says *what* should happen; the orchestrator turns it into one
state machine and runs every instance on it. Everything a definition names
is checked against the message catalog when it is built, so a typo fails
here, with one sentence, and not halfway through a run.

>>> travel = SagaDefinition("trip", [
...     Step("flight", "ReserveFlight", "CancelFlight", timeout=5),
...     Step("hotel", "ReserveHotel", "CancelHotel", retry=Retry(count=2, backoff=1.0)),
... ], started_by="BookTrip")
>>> travel.stage_names, travel.compensable
(['flight', 'hotel'], ['flight', 'hotel'])
>>> SagaDefinition("trip", [Step("flight", "ReserveFlight")])
Traceback (most recent call last):
...
playground.errors.SagaDefinitionError: Step 'flight' of saga 'trip' has no compensation; give it one (e.g. compensation='CancelFlight') or say compensation_required=False.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from playground.catalog import CATALOG, Catalog
from playground.errors import SagaDefinitionError
from playground.orchestration.replies import Replies, replies_to
from playground.orchestration.steps import (LATE_POLICIES, RESERVED, Approval, Parallel, Retry, Stage, Step,
                                            _describe)

__all__ = ["ENDINGS", "Announce", "Approval", "LATE_POLICIES", "Parallel", "RESERVED", "Retry", "SagaDefinition",
           "Stage", "Step"]

#: How an instance can end; an :class:`Announce` names the event one of them publishes.
ENDING_NAMES = ("completed", "compensated", "stuck")
#: Fields an announcement can always fill, whatever the saga carried.
ENDING_FIELDS = ("instance", "saga", "reason", "outcome")
#: The generic event an ending publishes when the saga announces nothing else for it.
ENDINGS = {"completed": "SagaCompleted", "compensated": "SagaCompensated", "stuck": "SagaStuck"}


class Announce:
    """The one business event a saga publishes when it ends one way, instead of the generic ``Saga…`` event.

    This is how a sub-process shows its boundary to the choreography around it:
    consumers outside hear one event (e.g. ``CustomsRejected``) after every
    compensation is done, and none of the steps inside. The event's fields come
    from ``constants``, then from what the instance carried (its start message
    and its replies), then from the ending itself (``instance``, ``saga``,
    ``reason``, ``outcome``).

    >>> Announce("CustomsReleased", milestone="customs released")
    Announce('CustomsReleased', milestone='customs released')
    """

    def __init__(self, event: str, **constants: Any):
        if not isinstance(event, str) or not event:
            raise SagaDefinitionError(f"Announce(...) needs the name of an event to publish, not {event!r}.")
        self.event = event
        self.constants = dict(constants)

    def payload(self, fields: Iterable[str], carried: Mapping[str, Any], ending: Mapping[str, Any]) -> dict[str, Any]:
        found = {**ending, **carried, **self.constants}
        return {f: found[f] for f in fields if f in found}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Announce) and (self.event, self.constants) == (other.event, other.constants)

    def __hash__(self) -> int:
        return hash((self.event, tuple(sorted(self.constants.items()))))

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.constants.items())
        return f"Announce({self.event!r}{extra})"


class SagaDefinition:
    """A named, ordered list of stages, checked against the catalog.

    Args:
        name: what the saga is called in traces and diagrams.
        stages: :class:`Step`, :class:`Parallel` (or a list of steps, run in
            parallel) and :class:`Approval` objects, in order.
        started_by: a message type whose arrival starts an instance: an event
            (the orchestrator subscribes to it) or a command owned by
            ``"orchestrator"``. When it is the first step's own reply, that
            step counts as already done.
        key: the payload field naming the instance (default: the first field of ``started_by``).
        compensation_retry: how compensations that fail or time out are retried.
        announces: ending (``completed``, ``compensated``, ``stuck``) → the event published
            when an instance ends that way (an event name or an :class:`Announce`); the other
            endings publish the generic ``SagaCompleted``/``SagaCompensated``/``SagaStuck``.
    """

    def __init__(self, name: str, stages: Iterable[Stage | list | tuple], *, started_by: str | None = None,
                 key: str | None = None, compensation_retry: Retry = Retry(count=5, backoff=1.0),
                 announces: Mapping[str, "str | Announce"] | None = None, catalog: Catalog = CATALOG):
        if not isinstance(name, str) or not name.strip():
            raise SagaDefinitionError(f"A saga needs a name such as 'trip', not {name!r}.")
        self.name = name
        self.catalog = catalog
        self.stages: list[Stage] = [Parallel(*s) if isinstance(s, (list, tuple)) else s for s in stages]
        if not self.stages:
            raise SagaDefinitionError(f"The saga '{name}' has no steps; give it at least one Step(...).")
        for stage in self.stages:
            if not isinstance(stage, (Step, Parallel, Approval)):
                raise SagaDefinitionError(f"The saga '{name}' got {stage!r}; stages are Step, Parallel or Approval objects.")
        if not isinstance(compensation_retry, Retry):
            raise SagaDefinitionError(f"compensation_retry must be a Retry(...), not {compensation_retry!r}.")
        self.compensation_retry = compensation_retry
        self.steps: dict[str, Step | Approval] = {}
        self.stage_of: dict[str, Stage] = {}
        self.replies: dict[str, Replies] = {}
        self.undo_replies: dict[str, Replies] = {}
        self._check_names()
        for step in self.steps.values():
            if isinstance(step, Step):
                self._check_step(step)
        self.started_by, self.key = self._check_start(started_by, key)
        self.first_done_by_trigger = (
            started_by is not None and isinstance(self.stages[0], Step)
            and started_by in self.replies[self.stages[0].name].done)
        self._check_fields()
        self.announces: dict[str, Announce] = self._check_announces(announces or {})

    # -- questions ---------------------------------------------------------
    @property
    def stage_names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    @property
    def compensable(self) -> list[str]:
        """Names of the steps that have a compensation, in definition order."""
        return [name for name, step in self.steps.items() if step.compensation]

    def boundary(self) -> dict[str, Any]:
        """What crosses this saga's edge: the message that starts it and the events that announce its end.

        >>> trip = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight")], started_by="BookTrip",
        ...                       announces={"compensated": Announce("FlightCancelled", flight="")})
        >>> trip.boundary()
        {'starts': 'BookTrip', 'ends': {'completed': 'SagaCompleted', 'compensated': 'FlightCancelled', 'stuck': 'SagaStuck'}, 'inside': ['flights']}
        """
        return {"starts": self.started_by,
                "ends": {end: self.announces[end].event if end in self.announces else ENDINGS[end]
                         for end in ENDING_NAMES},
                "inside": sorted(self.services())}

    def members(self, stage: Stage) -> tuple[Step | Approval, ...]:
        return stage.steps if isinstance(stage, Parallel) else (stage,)

    def reply_types(self) -> set[str]:
        """Every event the orchestrator must hear to run this saga."""
        types = {t for r in (*self.replies.values(), *self.undo_replies.values()) for t in (*r.done, *r.failed)}
        if self.started_by and self.catalog[self.started_by].kind == "event":
            types.add(self.started_by)
        return types

    def services(self) -> set[str]:
        """The services this saga sends commands to."""
        return {self.catalog[s.action].owner for s in self.steps.values() if isinstance(s, Step)}

    def diagram(self, highlight: str | None = None):
        """The saga's state machine as a Mermaid diagram (see :func:`playground.orchestration.view.diagram`)."""
        from playground.orchestration.view import diagram

        return diagram(self, highlight=highlight)

    def __repr__(self) -> str:
        start = f", started by {self.started_by}" if self.started_by else ""
        lines = [f"saga '{self.name}'{start}"]
        if self.announces:
            lines[0] += ", announces " + ", ".join(f"{end}: {a.event}" for end, a in self.announces.items())
        for i, stage in enumerate(self.stages, 1):
            together = len(self.members(stage)) > 1
            for j, step in enumerate(self.members(stage)):
                mark = f"{i}." if j == 0 else "  "
                lines.append(f"  {mark} {'∥ ' if together else ''}{_describe(step)}")
        return "\n".join(lines)

    # -- checks --------------------------------------------------------------
    def _fail(self, message: str) -> None:
        raise SagaDefinitionError(message)

    def _check_names(self) -> None:
        taken: dict[str, str] = {}
        for stage in self.stages:
            names = [(s.name, "step") for s in self.members(stage)]
            if isinstance(stage, Parallel) and stage.name not in {s.name for s in stage.steps}:
                names.append((stage.name, "parallel group"))
            if isinstance(stage, Approval):
                names.append((stage.escalated_state, "escalated approval"))
            for name, what in names:
                if name in RESERVED:
                    self._fail(f"The saga '{self.name}' cannot have a {what} called '{name}', which names one of "
                               f"every saga's own states ({', '.join(RESERVED)}); rename it.")
                if name in taken:
                    self._fail(f"The saga '{self.name}' has two {what}s called '{name}'; give every step its own name."
                               if what == taken[name] else
                               f"The saga '{self.name}' uses the name '{name}' for a {taken[name]} and a {what}; rename one.")
                taken[name] = what
            for step in self.members(stage):
                self.steps[step.name] = step
                self.stage_of[step.name] = stage

    def _command(self, step: Step, command: str, role: str) -> str:
        """The owner of ``command`` after checking it exists and is a command."""
        if command not in self.catalog:
            self._fail(f"Step '{step.name}' of saga '{self.name}' uses '{command}' as its {role}, but the catalog "
                       "declares no such message; check the spelling or declare it.")
        spec = self.catalog[command]
        if spec.kind != "command":
            self._fail(f"Step '{step.name}' of saga '{self.name}' uses '{command}' as its {role}, but that is an "
                       "event; a step sends commands.")
        return spec.owner

    def _check_step(self, step: Step) -> None:
        owner = self._command(step, step.action, "action")
        owners = {spec.owner for spec in self.catalog}
        if step.service is not None and step.service not in owners:
            self._fail(f"Step '{step.name}' of saga '{self.name}' names service '{step.service}', which no catalog "
                       f"entry belongs to; choose from {', '.join(sorted(owners))}.")
        if step.service is not None and step.service != owner:
            self._fail(f"Step '{step.name}' of saga '{self.name}' asks '{step.service}' to run '{step.action}', "
                       f"but '{step.action}' belongs to '{owner}'; fix the service or the command.")
        if step.compensation is None:
            if step.compensation_required:
                guess = next((s.name for s in self.catalog.owned_by(owner)
                              if s.kind == "command" and s.name.startswith("Cancel")), None)
                hint = f" (e.g. compensation='{guess}')" if guess else ""
                self._fail(f"Step '{step.name}' of saga '{self.name}' has no compensation; give it one{hint} "
                           "or say compensation_required=False.")
            if step.on_late == "compensate":
                self._fail(f"Step '{step.name}' of saga '{self.name}' says on_late='compensate' but has no "
                           "compensation to run; add one or use on_late='ignore'.")
            if step.undone is not None or step.undo_failed is not None:
                self._fail(f"Step '{step.name}' of saga '{self.name}' gives undone=/undo_failed= but has no "
                           "compensation they could answer; add compensation='...' or drop them.")
        else:
            undo_owner = self._command(step, step.compensation, "compensation")
            if undo_owner != owner:
                self._fail(f"Step '{step.name}' of saga '{self.name}' undoes '{step.action}' ({owner}) with "
                           f"'{step.compensation}', which belongs to '{undo_owner}'; compensate with a command of the same service.")
            self.undo_replies[step.name] = self._replies(step, step.compensation, step.undone, step.undo_failed,
                                                         owner, ("undone", "undo_failed"))
        self.replies[step.name] = self._replies(step, step.action, step.done, step.failed, owner, ("done", "failed"))

    def _replies(self, step: Step, command: str, done, failed, owner: str, names: tuple[str, str]) -> Replies:
        known = replies_to(command)
        if done is None and known is None:
            self._fail(f"Step '{step.name}' of saga '{self.name}' sends '{command}', whose reply events the "
                       f"orchestrator does not know; give the step {names[0]}=('SomethingDone',) and, if it can "
                       f"fail, {names[1]}=('SomethingFailed',).")
        replies = Replies(tuple(done) if done is not None else known.done,
                          tuple(failed) if failed is not None else (known.failed if known and done is None else ()))
        for event in (*replies.done, *replies.failed):
            if event not in self.catalog or self.catalog[event].kind != "event":
                self._fail(f"Step '{step.name}' of saga '{self.name}' expects the reply '{event}', which the "
                           "catalog does not declare as an event; check the spelling.")
            if self.catalog[event].owner != owner:
                self._fail(f"Step '{step.name}' of saga '{self.name}' expects the reply '{event}' from '{owner}', "
                           f"but '{event}' belongs to '{self.catalog[event].owner}'; a reply comes from the service asked.")
        return replies

    def _check_start(self, started_by: str | None, key: str | None) -> tuple[str | None, str | None]:
        if started_by is None:
            if key is not None:
                self._fail(f"The saga '{self.name}' has key='{key}' but no started_by message to read it from; add started_by=.")
            return None, None
        if started_by not in self.catalog:
            self._fail(f"The saga '{self.name}' is started by '{started_by}', which the catalog does not declare; "
                       "check the spelling.")
        spec = self.catalog[started_by]
        if spec.kind == "command" and spec.owner != "orchestrator":
            self._fail(f"The saga '{self.name}' is started by the command '{started_by}', which belongs to "
                       f"'{spec.owner}'; start it with an event or a command owned by 'orchestrator'.")
        key = key if key is not None else next(iter(spec.fields))
        if key not in spec.fields:
            self._fail(f"The saga '{self.name}' reads its instance id from field '{key}', which '{started_by}' "
                       f"does not have; choose one of {', '.join(spec.fields)}.")
        return started_by, key

    def _check_fields(self) -> None:
        """Every command's fields must come from the start message or an earlier step's reply."""
        if self.started_by is None:
            return
        known = set(self.catalog[self.started_by].fields)
        for index, stage in enumerate(self.stages):
            gained: set[str] = set()
            for step in self.members(stage):
                if not isinstance(step, Step):
                    continue
                if not (index == 0 and self.first_done_by_trigger):
                    self._need(step, step.action, known)
                after = known | {f for e in self.replies[step.name].done for f in self.catalog[e].fields}
                if step.compensation:
                    self._need(step, step.compensation, after)
                gained |= after
            known |= gained

    def _check_announces(self, given: Mapping[str, "str | Announce"]) -> dict[str, Announce]:
        if not isinstance(given, Mapping):
            self._fail(f"announces of saga '{self.name}' must map an ending to an event, e.g. "
                       f"{{'compensated': 'TripCancelled'}}, not {given!r}.")
        checked: dict[str, Announce] = {}
        for ending, what in given.items():
            if ending not in ENDING_NAMES:
                self._fail(f"The saga '{self.name}' announces an ending called {ending!r}; an instance ends "
                           f"{', '.join(ENDING_NAMES)}.")
            announce = Announce(what) if isinstance(what, str) else what
            if not isinstance(announce, Announce):
                self._fail(f"The saga '{self.name}' announces its {ending} ending with {what!r}; give an event name "
                           "or Announce('SomethingHappened', field=value).")
            if announce.event not in self.catalog or self.catalog[announce.event].kind != "event":
                self._fail(f"The saga '{self.name}' announces its {ending} ending with '{announce.event}', which the "
                           "catalog does not declare as an event; check the spelling or declare it.")
            known = set(announce.constants) | set(ENDING_FIELDS)
            if self.started_by is not None:
                known |= set(self.catalog[self.started_by].fields)
            if ending == "completed":  # every step answered, so every reply's fields are known
                known |= {f for r in self.replies.values() for e in r.done for f in self.catalog[e].fields}
            spec = self.catalog[announce.event]
            for field in spec.fields:
                if field not in known and field not in spec.optional:
                    self._fail(f"The saga '{self.name}' announces its {ending} ending with '{announce.event}', whose "
                               f"field '{field}' nothing fills; pass it as Announce('{announce.event}', {field}=...).")
            checked[ending] = announce
        return checked

    def _need(self, step: Step, command: str, known: set[str]) -> None:
        for field in self.catalog[command].fields:
            if field not in known:
                self._fail(f"Step '{step.name}' of saga '{self.name}' sends '{command}', which needs field "
                           f"'{field}' that neither '{self.started_by}' nor an earlier step's reply provides.")
