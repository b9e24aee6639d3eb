"""What a workflow engine may ask of a bus: the one interface the in-memory bus and the Kafka bus both offer.

The orchestrator (and any hand-written state machine hosted the same way)
talks to the transport through these members only, so the same engine runs
on simulated time in memory and on real time over a broker. Anything else a
bus has (its queues, faust apps, consumer groups) is none of the engine's
business.

>>> class Half:
...     def now(self): return 0.0
>>> missing(Half)[:3]
['add_inbox', 'dead_letter', 'deliver']
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Protocol, runtime_checkable

from playground.catalog import Catalog
from playground.runtime.envelope import Envelope
from playground.runtime.faults import FaultPlan
from playground.runtime.trace import Trace


@runtime_checkable
class WorkflowBus(Protocol):
    """The bus as a workflow engine sees it.

    * wiring: ``add_inbox(name, handler)``, ``subscribe(inbox, *types)``,
      ``inboxes`` (hosted here) and ``reaches(inbox)`` (whether a command to
      that inbox can be delivered: hosted here, or somewhere on the broker);
    * messages: ``message(...)`` builds an envelope, ``publish`` sends it,
      ``dead_letter`` parks one with a reason, ``deliver`` records a take;
    * time: ``now()`` in the bus's seconds (simulated, scaled, or Unix time on
      a broker) and ``timers`` with ``call_soon``/``call_later``/``call_at``
      in the same seconds;
    * bookkeeping: ``hold()``/``release()`` count work that is not a message
      (a timer still to fire), ``fail(exc)`` stops the run loudly from a
      callback, ``trace``, ``catalog`` and ``faults``.
    """

    trace: Trace
    catalog: Catalog
    faults: FaultPlan

    @property
    def inboxes(self) -> list[str]: ...

    @property
    def timers(self) -> Any: ...

    def add_inbox(self, name: str, handler: Callable[[Envelope], Awaitable[None]]) -> None: ...

    def subscribe(self, inbox: str, *types: str) -> None: ...

    def reaches(self, inbox: str) -> bool: ...

    def now(self) -> float: ...

    def message(self, type: str, payload: dict[str, Any], *, sender: str, correlation_id: str | None,
                cause: Envelope | None = None) -> Envelope: ...

    def publish(self, envelope: Envelope, to: str | None = None) -> None: ...

    def dead_letter(self, envelope: Envelope, reason: str, *, at: str) -> None: ...

    def deliver(self, envelope: Envelope, inbox: str) -> None: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    def fail(self, exc: BaseException) -> None: ...


def missing(cls: type) -> list[str]:
    """Members of :class:`WorkflowBus` that ``cls`` does not define (empty for a complete bus)."""
    names = [n for n in WorkflowBus.__dict__.get("__annotations__", {})]
    names += [n for n, v in vars(WorkflowBus).items() if callable(v) or isinstance(v, property)]
    wanted = sorted({n for n in names if not n.startswith("_")})
    instance_attributes = {"trace", "catalog", "faults"}  # set in __init__, not on the class
    return [n for n in wanted if n not in instance_attributes and not hasattr(cls, n)]
