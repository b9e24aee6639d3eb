"""How long each command waited for its reply, read from the trace: the number a timeout is a bet on.

A reply is the first message whose causation id is the command's message
id, so the measure is the same whoever sent the command and however the
service is wired. A command that never got a reply has no entry.

>>> from playground.scenarios import invoice_incident
>>> waits = reply_times(invoice_incident(orders=40, seed=1).run(), "ChargePayment")
>>> len(waits), round(min(waits.values()), 2) > 0
(40, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.runtime.result import Result


def reply_times(source: "Result | Trace", command: str) -> dict[str, float]:
    """Seconds from each ``command`` sent to the first message it caused, keyed by the command's message id."""
    trace = getattr(source, "trace", source)
    sent: dict[str, float] = {}
    waited: dict[str, float] = {}
    for e in trace.entries:
        if e.kind != "send":
            continue
        if e.type == command:
            sent[e.message_id] = e.time
        elif e.causation_id in sent and e.causation_id not in waited:
            waited[e.causation_id] = e.time - sent[e.causation_id]
    if not sent:
        raise PlaygroundError(f"No {command} was sent in this run; check the command's name (e.g. 'ChargePayment').")
    return waited
