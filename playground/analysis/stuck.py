"""Why a transaction never ended: the reason, read from the trace.

A run under lossy faults may leave transactions unfinished: a message was
dropped, parked as a dead letter, or an orchestrator that kept its instances
only in memory crashed. :func:`stuck` names that cause for each unfinished
transaction, with the trace entry that proves it, so "every transaction ends
exactly once" can be stated honestly as "ends exactly once, or is reported
stuck with a reason".

>>> from playground.runtime.fault_rules import Drop
>>> from playground.runtime.faults import FaultPlan
>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=3, seed=1, faults=FaultPlan(messages=[Drop(type="InvoiceCreated", nth=1)])).run()
>>> for order, why in stuck(result).items():
...     print(order, "·", why)
order-0001 · InvoiceCreated to payments was dropped at 0.30 s (trace entry 11), and nothing re-sent it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.trace import TraceEntry
    from playground.runtime.result import Result

#: Outcomes that mean "did not end".
NOT_ENDED = ("unfinished", "dead-lettered")


def _reason(entries: list["TraceEntry"]) -> str:
    for e in entries:
        if e.kind == "dead_letter":
            why = str((e.detail or {}).get("reason", "no reason given")).rstrip(".")
            return f"{e.type} was dead-lettered at {e.time:.2f} s (trace entry {e.seq}): {why}."
    for e in entries:
        if e.kind == "fault" and (e.detail or {}).get("fault") == "drop":
            return (f"{e.type} to {e.detail.get('inbox', e.at)} was dropped at {e.time:.2f} s "
                    f"(trace entry {e.seq}), and nothing re-sent it.")
    last = entries[-1]
    return (f"nothing moved it after the {last.kind} of {last.type or 'a message'} at {last.at} "
            f"({last.time:.2f} s, trace entry {last.seq}); no message for it was in flight when the run ended.")


def stuck(result: "Result") -> dict[str, str]:
    """Each transaction that did not end → one sentence naming why, from the trace alone."""
    waiting = [cid for cid, outcome in result.outcomes.items() if outcome in NOT_ENDED]
    if not waiting:
        return {}
    mine: dict[str | None, list] = defaultdict(list)
    lost_at: list["TraceEntry"] = []
    for e in result.trace.entries:
        if e.correlation_id in result.outcomes:
            mine[e.correlation_id].append(e)
        if e.kind == "fault" and (e.detail or {}).get("phase") == "lost-memory" and e.detail.get("instances"):
            lost_at.append(e)
    found = {}
    for cid in waiting:
        entries = mine.get(cid, [])
        if not entries:
            found[cid] = "it left no trace at all; check that it was ever sent."
            continue
        crash = next((c for c in lost_at if entries[0].time <= c.time), None)
        parked = [e for e in entries if e.kind == "dead_letter"]
        if crash is not None and parked and all("no record" in str(e.detail.get("reason", "")) for e in parked):
            found[cid] = (f"the {crash.at} crashed at {crash.time:.2f} s (trace entry {crash.seq}) holding it only "
                          f"in memory, so the replies that came after were dead-lettered (trace entry {parked[0].seq}).")
        else:
            found[cid] = _reason(entries)
    return found
