"""A live run's traces read back as a :class:`~playground.runtime.result.Result`, so invariants and metrics apply."""

from __future__ import annotations

from typing import Any

from playground.runtime.result import Result, outcomes_from
from playground.runtime.trace import Trace
from playground.scenarios.order_flow import OrderFlow


def live_result(trace: Trace, ids: list[str], *, scenario: Any = None) -> Result:
    """A :class:`~playground.runtime.result.Result` for a live order flow, so invariants and metrics apply.

    Args:
        trace: usually :func:`~playground.kafka.live_trace.read_traces` of every worker's trace file.
        ids: the business transactions that were started (the order ids placed).
        scenario: the scenario class whose terminals, start event and unit to use
            (default: the order flow).
    """
    kind = scenario or OrderFlow
    outcomes = outcomes_from(trace, list(ids), kind.terminals)
    finished = trace.entries[-1].time if len(trace) else 0.0
    return Result(kind.name, "choreography on Kafka", 0, trace, outcomes, [], {}, finished,
                  terminals=dict(kind.terminals), start=kind.start_event, unit=kind.unit)
