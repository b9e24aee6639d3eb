"""The pieces a saga is made of: steps with their compensations, retries, approvals, parallel groups.

Each piece checks its own arguments when it is built; :class:`~playground.orchestration.saga.SagaDefinition`
checks how they fit together and against the catalog.

>>> Step("flight", "ReserveFlight", "CancelFlight", timeout=5).timeout
5
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Protocol, Sequence, Union

from playground.errors import SagaDefinitionError
from playground.runtime.checks import is_number, is_whole
from playground.runtime.randomness import Randomness

#: States every saga machine has besides its stages; no step may take these names.
RESERVED = ("new", "compensating", "completed", "compensated", "stuck")
LATE_POLICIES = ("ignore", "compensate")


def _number(what: str, value: object, *, allow_none: bool = True, minimum: float = 0.0, strict: bool = False) -> None:
    if value is None and allow_none:
        return
    bad = not is_number(value)
    if bad or value < minimum or (strict and value <= minimum):
        bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
        raise SagaDefinitionError(f"{what} must be a number {bound}, not {value!r}.")


@dataclass(frozen=True)
class Retry:
    """How often to try a step again after it fails or times out, and how long to wait in between.

    The wait before attempt ``n`` (n ≥ 2) is ``backoff * factor ** (n - 2)``,
    capped at ``max_delay``, then spread by ±``jitter`` (a fraction) with the
    run's draw for that instance, step and attempt: a rerun with the same seed
    waits exactly as long, another seed waits differently.

    >>> Retry(count=3, backoff=1.0, factor=2.0).delay(3, Randomness(1), "trip-1:do:hotel")
    2.0
    >>> round(Retry(count=3, backoff=1.0, jitter=0.5).delay(3, Randomness(1), "trip-1:do:hotel"), 3)
    1.335
    """

    count: int = 0
    backoff: float = 1.0
    factor: float = 2.0
    jitter: float = 0.0
    max_delay: float | None = None

    def __post_init__(self) -> None:
        if not is_whole(self.count) or self.count < 0:
            raise SagaDefinitionError(f"Retry count must be a whole number of at least 0, not {self.count!r}.")
        _number("Retry backoff", self.backoff, allow_none=False)
        _number("Retry factor", self.factor, allow_none=False, minimum=1.0)
        _number("Retry max_delay", self.max_delay)
        if not is_number(self.jitter) or not 0 <= self.jitter <= 1:
            raise SagaDefinitionError(f"Retry jitter must be a fraction between 0 and 1, not {self.jitter!r}.")

    def base(self, attempt: int) -> float:
        """Seconds to wait before sending ``attempt``, before the jitter spreads it."""
        wait = self.backoff * self.factor ** max(attempt - 2, 0)
        return wait if self.max_delay is None else min(wait, self.max_delay)

    def delay(self, attempt: int, randomness: Randomness, key: str) -> float:
        """Seconds to wait before sending ``attempt``; the jitter is the run's draw for ``key`` and the attempt."""
        wait = self.base(attempt)
        if self.jitter:
            wait *= 1 + self.jitter * (2 * randomness.draw(f"retry:{key}:{attempt}") - 1)
        return wait


NO_RETRY = Retry()


@dataclass(frozen=True)
class Step:
    """One forward step: a command to a service, and the command that undoes it.

    Args:
        name: the step's name, unique in its saga.
        action: the command to send, e.g. ``"ReserveHotel"``.
        compensation: the command that undoes a completed step, or None.
        service: the service expected to own ``action`` (checked; defaults to the catalog's owner).
        timeout: seconds to wait for a reply before giving the attempt up; None waits forever.
        retry: how to try again after a failure reply or a timeout.
        compensation_required: refuse the definition if ``compensation`` is missing.
        on_late: what a success reply arriving after the step was given up does:
            ``"compensate"`` (undo its effect; the default when there is a compensation)
            or ``"ignore"`` (park it as a dead letter, with the reason, and change nothing).
        done, failed: reply event types meaning success / failure (default: the replies table).
        undone, undo_failed: the same for the compensation's replies (default: the replies table);
            a command of your own domain needs them, since the table only knows the playground's.
        compensation_timeout: seconds to wait for the compensation's reply (default ``timeout``).
        correlate: match the step's reply by the instance id alone, not by the command it answers:
            for an event the world sends when something happens (a ship docks), which answers no
            command of ours. The step's command then only says "we are waiting for it".
    """

    name: str
    action: str
    compensation: str | None = None
    _: KW_ONLY
    service: str | None = None
    timeout: float | None = None
    retry: Retry = NO_RETRY
    compensation_required: bool = True
    on_late: str | None = None
    done: tuple[str, ...] | None = None
    failed: tuple[str, ...] | None = None
    compensation_timeout: float | None = None
    correlate: bool = False
    undone: tuple[str, ...] | None = None
    undo_failed: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise SagaDefinitionError(f"A step name must be a short identifier such as 'hotel', not {self.name!r}.")
        _number(f"The timeout of step '{self.name}'", self.timeout, strict=True)
        _number(f"The compensation_timeout of step '{self.name}'", self.compensation_timeout, strict=True)
        if not isinstance(self.retry, Retry):
            raise SagaDefinitionError(f"The retry of step '{self.name}' must be a Retry(...), not {self.retry!r}.")
        if self.on_late is not None and self.on_late not in LATE_POLICIES:
            raise SagaDefinitionError(f"on_late of step '{self.name}' must be 'ignore' or 'compensate', not {self.on_late!r}.")
        for attr in ("done", "failed", "undone", "undo_failed"):
            value = getattr(self, attr)
            if isinstance(value, str):
                object.__setattr__(self, attr, (value,))

    @property
    def late_policy(self) -> str:
        return self.on_late or ("compensate" if self.compensation else "ignore")

    @property
    def undo_timeout(self) -> float | None:
        return self.compensation_timeout if self.compensation_timeout is not None else self.timeout


@dataclass(frozen=True)
class Approval:
    """A step a person must approve: the saga waits for a ``DecideApproval`` command.

    After ``timeout`` seconds without a decision the request is escalated and
    the saga waits ``escalation`` seconds more; then (or at once, when
    ``escalation`` is None) it counts as rejected and the saga compensates.
    """

    name: str
    timeout: float
    escalation: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise SagaDefinitionError(f"An approval name must be a short identifier such as 'manager', not {self.name!r}.")
        _number(f"The timeout of approval '{self.name}'", self.timeout, allow_none=False, strict=True)
        _number(f"The escalation of approval '{self.name}'", self.escalation, strict=True)

    compensation = None
    compensation_required = False
    retry = NO_RETRY

    @property
    def escalated_state(self) -> str:
        return f"{self.name}_escalated"


@dataclass(frozen=True)
class Parallel:
    """Steps sent together; the group is done when all are done, failed when any failed (once all answered)."""

    steps: tuple[Step, ...]
    name: str

    def __init__(self, *steps: Step, name: str | None = None):
        if not steps or not all(isinstance(s, Step) for s in steps):
            raise SagaDefinitionError("Parallel(...) takes one or more Step(...) objects, nothing else.")
        object.__setattr__(self, "steps", tuple(steps))
        object.__setattr__(self, "name", name or "_and_".join(s.name for s in steps))


Stage = Union[Step, Parallel, Approval]


class Stages(Protocol):
    """What the state machine reads of a saga definition (a :class:`~playground.orchestration.saga.SagaDefinition`).

    The machine and the diagram take any object with these, so they need not
    import the definition, which draws itself with them.
    """

    name: str
    stages: Sequence[Stage]
    stage_names: list[str]
    compensable: list[str]
    compensation_retry: Retry

    def members(self, stage: Stage) -> Sequence[Step | Approval]: ...


def _describe(step: Step | Approval) -> str:
    if isinstance(step, Approval):
        escalate = f", escalate for {step.escalation:g}s more" if step.escalation else ""
        return f"{step.name}: a person approves within {step.timeout:g}s{escalate}"
    parts = [f"{step.name}: {step.action}", f"undo {step.compensation}" if step.compensation else "no undo"]
    if step.timeout is not None:
        parts.append(f"timeout {step.timeout:g}s")
    if step.retry.count:
        parts.append(f"retry ×{step.retry.count}")
    if step.compensation:
        parts.append(f"late reply: {step.late_policy}")
    return ", ".join(parts)
