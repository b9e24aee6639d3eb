"""Senior approvers: they answer the approvals an orchestrator escalated because nobody decided in time.

>>> Seniors().handle("ReviewEscalation", {"instance": "trip-1", "step": "manager"})
[Emit(type='DecideApproval', payload={'instance': 'trip-1', 'step': 'manager', 'approved': True})]
"""

from __future__ import annotations

from typing import Any

from playground.runtime.checks import fraction
from playground.runtime.randomness import chance
from playground.services.base import Service, emit, handles


class Seniors(Service):
    """Approve a share ``approve`` of the escalated requests they look at (seeded), reject the rest."""

    name = "seniors"

    def __init__(self, *, approve: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.approve = fraction("approve", approve)

    @handles("ReviewEscalation")
    def review(self, instance: str, step: str):
        approved = chance(self.rng, self.approve)
        self.note_state(instance, None, "approved by a senior" if approved else "rejected by a senior")
        return [emit("DecideApproval", instance=instance, step=step, approved=approved)]
