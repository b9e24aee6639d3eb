"""Bounded work: a run stops, with one sentence naming the cycle, when messages go round without end.

Simulated time cannot stop a cycle whose hops take no time (a consumer that
re-emits the event it hears, with latency 0): the clock never reaches the
horizon, and the trace grows until the machine runs out of memory. The bus
therefore counts the messages of each business transaction and, every
:data:`CHECK_EVERY` of them, looks whether simulated time moved in between.
A transaction that sends that many messages in one instant, or
:data:`MOST_PER_TRANSACTION` in all, is caught in a cycle.

>>> from playground.runtime.trace import Trace
>>> trace = Trace()
>>> trace.record(0.0, "send", "echo", "Ping", "m1", "order-1", None)
>>> trace.record(0.0, "send", "echo", "Pong", "m2", "order-1", "m1")
>>> trace.record(0.0, "send", "echo", "Ping", "m3", "order-1", "m2")
>>> cycle_in(trace, "m3")
'Ping from echo → Pong from echo → Ping from echo'
"""

from __future__ import annotations

from playground.errors import CycleDetected
from playground.runtime.trace import Trace

#: How many messages of one transaction pass between two looks at the clock.
CHECK_EVERY = 10_000
#: More messages than this for one transaction mean a cycle, however slowly it turns.
MOST_PER_TRANSACTION = 200_000
#: How far back along the causes a cycle is looked for.
_LONGEST_CYCLE = 64


class WorkCounter:
    """Messages sent per correlation id, and the simulated time of the last look at each."""

    def __init__(self) -> None:
        self.sent: dict[str | None, int] = {}
        self._looked: dict[str | None, float] = {}

    def look(self, correlation_id: str | None, count: int, now: float, trace: Trace, message_id: str) -> None:
        """Called every :data:`CHECK_EVERY` messages of a transaction; raises :class:`CycleDetected` when stuck."""
        still = self._looked.get(correlation_id) == now
        self._looked[correlation_id] = now
        too_many = correlation_id is not None and count >= MOST_PER_TRANSACTION
        if not (still or too_many):
            return
        who = f"transaction {correlation_id}" if correlation_id is not None else "messages without a correlation id"
        how = (f"{CHECK_EVERY:,} messages at simulated second {now:,.3f} without time moving on"
               if still else f"{count:,} messages by simulated second {now:,.3f}")
        raise CycleDetected(
            f"The run was stopped because {who} sent {how}, going round the cycle "
            f"{cycle_in(trace, message_id)}; make one service in it stop re-sending what it hears "
            "(or give the cycle an end).")


def cycle_in(trace: Trace, message_id: str) -> str:
    """The cycle that led to ``message_id``, read backwards along the causes, e.g. ``A from x → B from y → A from x``."""
    sends = {m: (t, at, cause) for m, t, at, cause in trace.fields("message_id", "type", "at", "causation_id",
                                                                  kinds=("send",))}
    chain: list[tuple[str, str]] = []
    current: str | None = message_id
    while current in sends and len(chain) < _LONGEST_CYCLE:
        type_, sender, cause = sends[current]
        if (type_, sender) in chain:
            hops = [(type_, sender), *reversed(chain[chain.index((type_, sender)):])]
            return " → ".join(f"{t} from {s}" for t, s in hops)
        chain.append((type_, sender))
        current = cause
    return " → ".join(f"{t} from {s}" for t, s in reversed(chain)) or "of messages"
