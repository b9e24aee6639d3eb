"""People who approve things: asked by an ``ApprovalRequested`` event, they answer with a decision.

Their latency is how long a person takes to look; their ``approve`` share is
how often they say yes (seeded).

>>> Approvers().handle("ReviewRequest", {"instance": "trip-1", "step": "manager"})
[Emit(type='DecideApproval', payload={'instance': 'trip-1', 'step': 'manager', 'approved': True})]
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.runtime.randomness import chance
from playground.services.base import Service, emit, handles
from playground.runtime.checks import is_number


class Approvers(Service):
    """Approve a share ``approve`` of the requests they look at, reject the rest."""

    name = "approvers"

    def __init__(self, *, approve: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        if not is_number(approve) or not 0 <= approve <= 1:
            raise ScenarioError(f"approve must be a fraction between 0 and 1, not {approve!r}.")
        self.approve = float(approve)

    @handles("ReviewRequest")
    def review(self, instance: str, step: str):
        approved = chance(self.rng, self.approve)
        self.note_state(instance, None, "approved" if approved else "rejected")
        return [emit("DecideApproval", instance=instance, step=step, approved=approved)]
