"""Causation chains: how deep one business transaction's messages cause each other.

Every envelope names the message that caused it (``causation_id``). Followed
back to the transaction's first message, that gives each message a *depth*:
the first message has depth 1, what it caused depth 2, and so on. A
transaction's depth is the length of its longest chain — how many hops a
reader of the trace has to follow to explain its last message. Event
spaghetti shows up as depth; a message loop shows up as depth that only
a horizon or a limit stops.

>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=3, seed=1).run()
>>> causation_depth(result)["order-0001"]
8
>>> deepest_chain(result, "order-0001")[-2:]
['OrderCompleted', 'ConfirmationSent']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import Trace
    from playground.runtime.result import Result


def _sends(source: "Result | Trace"):
    trace = getattr(source, "trace", source)
    return [e for e in trace.entries if e.kind == "send"]


def depths(source: "Result | Trace") -> dict[str, int]:
    """Message id → its depth in its causation chain (1 for a message nothing caused)."""
    depth: dict[str, int] = {}
    for e in _sends(source):
        # A message can be sent twice (a redelivered handler re-publishes): keep the first depth.
        depth.setdefault(e.message_id, depth.get(e.causation_id, 0) + 1)
    return depth


def causation_depth(source: "Result | Trace") -> dict[str, int]:
    """Per transaction (correlation id): the length of its longest causation chain, in messages."""
    depth = depths(source)
    out: dict[str, int] = {}
    for e in _sends(source):
        if e.correlation_id is not None:
            out[e.correlation_id] = max(out.get(e.correlation_id, 0), depth[e.message_id])
    return out


def deepest_chain(source: "Result | Trace", correlation_id: str) -> list[str]:
    """The message types along one transaction's longest causation chain, first to last."""
    sends = [e for e in _sends(source) if e.correlation_id == correlation_id]
    if not sends:
        raise PlaygroundError(f"No message of the run belongs to {correlation_id!r}; check the id "
                              "(e.g. 'order-0001').")
    depth = depths(source)
    by_id = {e.message_id: e for e in sends}
    last = max(sends, key=lambda e: depth[e.message_id])  # the first of the deepest, in trace order
    chain = [last.type]
    while last.causation_id in by_id:
        last = by_id[last.causation_id]
        chain.append(last.type)
    return chain[::-1]


__all__ = ["causation_depth", "deepest_chain", "depths"]
