"""Contracts of the orchestrator itself: how a saga ends, and how a human approves a step.

The orchestrator announces every instance's end, so a run's outcomes can be
read from the trace like any other wiring's. Approval steps ask a person
through ``ApprovalRequested`` and wait for a ``DecideApproval`` command.
"""

from playground.catalog.base import MessageSpec

S = str

ORCHESTRATION_SPECS = [
    MessageSpec("SagaCompleted", "event", "orchestrator", {"instance": S, "saga": S},
                "Every step of a saga instance is done."),
    MessageSpec("SagaCompensated", "event", "orchestrator", {"instance": S, "saga": S, "reason": S},
                "A saga instance failed and every completed step was undone."),
    MessageSpec("SagaStuck", "event", "orchestrator", {"instance": S, "saga": S, "reason": S},
                "A saga instance could not undo a step even after retrying; a person must look."),
    MessageSpec("ApprovalRequested", "event", "orchestrator", {"instance": S, "step": S},
                "A saga instance waits for a person to approve one of its steps."),
    MessageSpec("ApprovalEscalated", "event", "orchestrator", {"instance": S, "step": S},
                "Nobody decided on an approval in time; it goes to someone more senior."),
    MessageSpec("DecideApproval", "command", "orchestrator", {"instance": S, "step": S, "approved": bool},
                "A person approves or rejects a step a saga instance is waiting on."),
    MessageSpec("ReviewRequest", "command", "approvers", {"instance": S, "step": S},
                "Look at a request for approval and decide."),
]
