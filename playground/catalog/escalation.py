"""Contracts of senior approvers: they decide on approvals that waited too long for a first answer.

An orchestrator escalates an approval by announcing ``ApprovalEscalated``;
the seniors hear it, run ``ReviewEscalation`` and answer with the same
``DecideApproval`` command an ordinary approver sends.
"""

from playground.catalog.base import MessageSpec

ESCALATION_SPECS = [
    MessageSpec("ReviewEscalation", "command", "seniors", {"instance": str, "step": str},
                "Decide on an approval that nobody decided on in time."),
]
