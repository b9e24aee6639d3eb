"""A saga's structure: the compensatable steps, the pivot, and the retriable steps after it.

A saga has no isolation and no rollback of its own: only the steps that have an undo can be taken back.
So the steps that may fail for a business reason and can be undone come first; then the *pivot*, the
first step that cannot be undone (once it succeeds the saga goes forward, whatever happens); then the
steps after it, which must not fail for good, so each retries instead of starting a rollback that could
not pass the pivot. :func:`saga_structure` reads that shape off a definition and names what breaks it.

>>> from playground.orchestration.saga import Retry, SagaDefinition, Step
>>> trip = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight"),
...                                Step("hotel", "ReserveHotel", compensation_required=False),
...                                Step("car", "ReserveCar", "CancelCar")], started_by="BookTrip")
>>> shape = saga_structure(trip)
>>> shape.compensatable, shape.pivot, shape.after
(['flight'], 'hotel', ['car'])
>>> for problem in shape.problems:
...     print(problem)
'car' has an undo (CancelCar) but comes after the pivot 'hotel': if it failed, the rollback could not undo 'hotel'.
'car' comes after the pivot 'hotel' without a retry policy: one transient failure would start a rollback that cannot undo 'hotel'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from playground.orchestration.saga import SagaDefinition

__all__ = ["SagaStructure", "saga_structure"]


@dataclass(frozen=True)
class SagaStructure:
    """The steps of a saga sorted into compensatable, pivot and after-the-pivot, with what breaks the shape."""

    saga: str
    compensatable: list[str]
    pivot: str | None
    after: list[str]
    problems: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        lines = [f"saga '{self.saga}'",
                 f"  compensatable (undone if a later step fails): {', '.join(self.compensatable) or '-'}",
                 f"  pivot (no undo; once it succeeds the saga goes forward): {self.pivot or '-'}",
                 f"  after the pivot (must not fail for good, so they retry): {', '.join(self.after) or '-'}"]
        lines += [f"  ✗ {p}" for p in self.problems] or ["  ✓ every step with an undo comes before the pivot, "
                                                         "and every step after it retries"]
        return "\n".join(lines)


def saga_structure(saga: "SagaDefinition") -> SagaStructure:
    """Sort ``saga``'s steps into compensatable, pivot and after-the-pivot, and say what breaks that order.

    The pivot is the first stage with a member that has no undo (an approval counts as one: a decision
    cannot be taken back). A saga whose every step has an undo has no pivot and can roll back at any point.
    """
    compensatable: list[str] = []
    pivot: str | None = None
    after: list[str] = []
    problems: list[str] = []
    for stage in saga.stages:
        members = saga.members(stage)
        if pivot is None:
            if all(step.compensation for step in members):
                compensatable.extend(step.name for step in members)
                continue
            pivot = stage.name
            continue
        for step in members:
            after.append(step.name)
            if step.compensation:
                problems.append(f"'{step.name}' has an undo ({step.compensation}) but comes after the pivot "
                                f"'{pivot}': if it failed, the rollback could not undo '{pivot}'.")
            if not step.retry.count:
                problems.append(f"'{step.name}' comes after the pivot '{pivot}' without a retry policy: one "
                                f"transient failure would start a rollback that cannot undo '{pivot}'.")
    return SagaStructure(saga.name, compensatable, pivot, after, problems)
