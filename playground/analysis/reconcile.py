"""Reconciliation: which transactions got a cause but never its follow-up?

In a choreography nobody waits for the follow-up of an event — the email
service is not asked to confirm an order, it is trusted to. When a
confirmation never comes, no timeout fires and no invariant about terminal
states breaks. Somebody has to look on purpose; this is that look, read
from the trace.

>>> from playground.scenarios import order_flow
>>> unanswered(order_flow(orders=10, seed=1).run(), "OrderCompleted", "ConfirmationSent")
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def unanswered(result: "Result", cause: str, follow_up: str) -> list[str]:
    """Correlation ids of transactions that sent ``cause`` but never ``follow_up``, in the order of their cause."""
    if cause == follow_up:
        raise PlaygroundError("A cause and its follow-up must be different message types.")
    caused: dict[str, float] = {}
    answered: set[str] = set()
    for e in result.trace.entries:
        if e.kind != "send" or e.correlation_id is None:
            continue
        if e.type == cause:
            caused.setdefault(e.correlation_id, e.time)
        elif e.type == follow_up:
            answered.add(e.correlation_id)
    return [cid for cid in caused if cid not in answered]
