"""The fault plan: what goes wrong in a run, the same object for both wirings.

The bus asks :meth:`FaultPlan.deliveries` how to deliver each message (not at
all, once, late, twice, after the next one), service hosts ask
:meth:`FaultPlan.down_until` whether their component is down and
:meth:`FaultPlan.on_handle` whether the call they just worked on fails.
Every fault that happens is written to the trace as a ``fault`` entry whose
detail names it. The empty plan changes nothing and costs next to nothing.

>>> plan = FaultPlan(outages={"email": [(10, 40)]})
>>> plan.down_until("email", 12.0), plan.down_until("email", 40.0), plan.down_until("orders", 12.0)
(40, None, None)
>>> plan = FaultPlan(messages=[Drop(type="PaymentReceived", count=1)], failures=[FailCalls("payments", nth=3)])
>>> sorted(plan.components()), plan.touches_delivery, plan.touches_handling
(['payments'], True, True)
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Protocol

from playground.errors import ScenarioError
from playground.runtime.fault_rules import Delay, Drop, Duplicate, FailCalls, MessageRule, Reorder, Rule
from playground.runtime.latency import Latency, as_latency
from playground.runtime.checks import is_number
from playground.runtime.randomness import Unseeded

if TYPE_CHECKING:  # pragma: no cover
    from playground.catalog import Catalog
    from playground.runtime.envelope import Envelope
    from playground.runtime.trace import Trace

__all__ = ["FaultPlan", "Drop", "Duplicate", "Delay", "Reorder", "FailCalls"]


class Carrier(Protocol):
    """What a fault plan needs from the transport it runs on (the in-memory bus and the Kafka bus both offer it).

    The plan never reaches into a transport's queues: it counts held work with
    :meth:`hold` and hands a held message back with :meth:`enqueue`.
    """

    catalog: "Catalog"
    trace: "Trace"

    @property
    def timers(self) -> Any: ...

    def now(self) -> float: ...

    def hold(self) -> None: ...

    def enqueue(self, inbox: str, envelope: Any) -> None: ...


def _windows(kind: str, given: Mapping[str, Iterable[tuple[float, float]]] | None) -> dict[str, list[tuple[float, float]]]:
    checked: dict[str, list[tuple[float, float]]] = {}
    for name, windows in (given or {}).items():
        rows = []
        for window in windows:
            start, end = window
            if not (0 <= start < end):
                raise ScenarioError(
                    f"The {kind} window {window!r} for '{name}' must be (start, end) with 0 <= start < end, "
                    "in simulated seconds.")
            rows.append((start, end))
        checked[name] = sorted(rows)
    return checked


class FaultPlan:
    """Faults to inject, keyed by component name, message type or inbox.

    Args:
        outages: component → ``(start, end)`` windows in simulated seconds during
            which it takes nothing from its inbox; the work in hand finishes, the
            inbox keeps filling.
        crashes: component → ``(start, end)`` windows: it stops at ``start`` and
            restarts at ``end``. Work in hand at ``start`` is lost unacknowledged,
            so the message goes back to its inbox and is handled again after restart.
        latency: service → processing-time distribution (or seconds), replacing
            the scenario's default for that service.
        failures: :class:`FailCalls` rules — calls that raise a transient error
            and are redelivered ``redelivery_delay`` seconds later (at-least-once).
        messages: :class:`Drop`, :class:`Duplicate`, :class:`Delay` and
            :class:`Reorder` rules applied on the bus, in the order given.
        redelivery_delay: seconds before an unacknowledged message comes back.
        uncorrelated: services that publish their events without the context they were
            handed — no correlation id, no causation id — as a service does that builds fresh
            messages and forgets to copy them; everything caused downstream inherits the gap.
        amnesia: services whose crash is a real process restart that loses what they keep in
            memory. For them a crash window, or a call that fails after its work (the process
            died before acknowledging), rebuilds the service from its constructor; what it
            keeps in a file survives. Without it a crashed service keeps its memory, which is
            kind to an idempotency check held in a Python set.
    """

    def __init__(self, *, outages: Mapping[str, Iterable[tuple[float, float]]] | None = None,
                 crashes: Mapping[str, Iterable[tuple[float, float]]] | None = None,
                 latency: Mapping[str, "float | Latency"] | None = None,
                 failures: Iterable[FailCalls] = (), messages: Iterable[MessageRule] = (),
                 redelivery_delay: float = 1.0, uncorrelated: Iterable[str] = (), amnesia: Iterable[str] = ()):
        self.outages = _windows("outage", outages)
        self.crashes = _windows("crash", crashes)
        self.latency = {name: as_latency(v, what=f"the fault plan's latency for {name}")
                        for name, v in (latency or {}).items()}
        self.failures = list(failures)
        self.messages = list(messages)
        for rule in self.failures:
            if not isinstance(rule, FailCalls):
                raise ScenarioError(f"failures= takes FailCalls rules, not {rule!r}.")
        for rule in self.messages:
            if not isinstance(rule, (Drop, Duplicate, Delay, Reorder)):
                raise ScenarioError(f"messages= takes Drop, Duplicate, Delay or Reorder rules, not {rule!r}.")
        if not is_number(redelivery_delay) or redelivery_delay < 0:
            raise ScenarioError(f"redelivery_delay must be a number of seconds of at least 0, not {redelivery_delay!r}.")
        self.redelivery_delay = float(redelivery_delay)
        if isinstance(uncorrelated, str):
            uncorrelated = [uncorrelated]
        self.uncorrelated = frozenset(uncorrelated)
        self.amnesia = frozenset([amnesia] if isinstance(amnesia, str) else amnesia)
        # Plain attributes, not properties: the bus and hosts read them for every message.
        self.touches_delivery = bool(self.messages)
        self.touches_handling = bool(self.failures or self.crashes)
        self._down = {name: sorted([*self.outages.get(name, ()), *self.crashes.get(name, ())])
                      for name in {*self.outages, *self.crashes}}
        self.begin(None, Unseeded("A fault rule with a fraction", "run the plan on a bus built with randomness="))

    def __repr__(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("outages", self.outages), ("crashes", self.crashes),
                                          ("latency", self.latency), ("failures", self.failures),
                                          ("messages", self.messages),
                                          ("uncorrelated", sorted(self.uncorrelated)),
                                          ("amnesia", sorted(self.amnesia))) if v]
        return f"FaultPlan({', '.join(parts)})"

    # -- per run ------------------------------------------------------------
    def begin(self, bus: "Carrier | None", rng: random.Random) -> None:
        """Start a run: fresh counters, the run's seeded ``faults`` stream, window faults scheduled in the trace.

        A plan may serve many runs (both wirings, several seeds); nothing from one
        run leaks into the next because every counter is reset here.
        """
        self.rng = rng
        self._seen: dict[tuple, int] = {}   # (list, rule index) → matching messages or calls so far
        self._fired: dict[tuple, int] = {}  # (list, rule index) → times it fired
        self._held: dict[str, tuple] = {}  # inbox → (envelope, timer) a Reorder rule holds back
        if bus is None:
            return
        known = bus.catalog
        for rule in [*self.messages, *self.failures]:
            if rule.type is not None and rule.type not in known:
                raise ScenarioError(f"The fault rule {rule!r} names message type {rule.type!r}, "
                                    "which the catalog does not declare; check the spelling.")
        for rule in self.failures:
            if rule.command is not None and (rule.command not in known or known[rule.command].kind != "command"):
                raise ScenarioError(f"The fault rule {rule!r} names command {rule.command!r}, which the catalog "
                                    "does not declare as a command; check the spelling.")
        trace = bus.trace
        for name, dist in self.latency.items():
            trace.record(0.0, "fault", name, detail={"fault": "latency", "distribution": repr(dist)})
        loop = bus.timers  # the loop, or a live session's scaled clock
        for kind, table in (("outage", self.outages), ("crash", self.crashes)):
            for name, windows in table.items():
                for start, end in windows:
                    loop.call_at(start, trace.record, start, "fault", name, None, None, None, None,
                                 {"fault": kind, "phase": "down", "until": end})
                    loop.call_at(end, trace.record, end, "fault", name, None, None, None, None,
                                 {"fault": kind, "phase": "up"})

    # -- questions the runtime asks -------------------------------------------
    def components(self) -> set[str]:
        """Every component this plan names, so a scenario can reject unknown names."""
        names = {*self.outages, *self.crashes, *self.latency, *(r.component for r in self.failures),
                 *self.uncorrelated, *self.amnesia}
        return names | {r.inbox for r in self.messages if r.inbox is not None}

    def latency_for(self, component: str, default: Latency) -> Latency:
        """The processing-time distribution ``component`` should use in this run."""
        return self.latency.get(component, default)

    def may_stop(self, component: str) -> bool:
        """Whether :meth:`down_until` can ever answer for ``component`` (a plan whose outages change live: always)."""
        return type(self).down_until is not FaultPlan.down_until or component in self._down

    def down_until(self, component: str, now: float) -> float | None:
        """When ``component`` comes back if it is down (outage or crash) at ``now``, else None."""
        for start, end in self._down.get(component, ()):
            if start <= now < end:
                return end
        return None

    def _fires(self, index: tuple, rule: Rule) -> bool:
        """Count one more match of rule ``index`` and say whether it fires on it (seeded)."""
        seen = self._seen[index] = self._seen.get(index, 0) + 1
        fired = self._fired.get(index, 0)
        if rule.limit is not None and fired >= rule.limit:
            return False
        if rule.nth is not None:
            hit = seen in rule.nth
        elif rule.fraction is not None:
            hit = self.rng.random() < rule.fraction
        else:
            hit = True
        if hit:
            self._fired[index] = fired + 1
        return hit

    def deliveries(self, envelope: "Envelope", inbox: str, bus: "Carrier") -> list[float]:
        """Delays (seconds) at which ``envelope`` reaches ``inbox``: ``[0.0]`` once now, ``[]`` never."""
        delays = [0.0]
        hold = None
        for index, rule in enumerate(self.messages):
            if not rule.matches(envelope.type, inbox) or not self._fires(("messages", index), rule):
                continue
            e = envelope
            detail = {"fault": rule.fault, "inbox": inbox}
            if isinstance(rule, Drop):
                delays = []
            elif isinstance(rule, Duplicate):
                delays = delays + [delays[-1] if delays else 0.0] * rule.copies
                detail["copies"] = rule.copies
            elif isinstance(rule, Delay):
                delays = [d + rule.seconds for d in delays]
                detail["seconds"] = rule.seconds
            else:
                hold = rule
                detail["within"] = rule.within
            bus.trace.record(bus.now(), "fault", inbox, e.type, e.message_id, e.correlation_id, e.causation_id, detail)
            if not delays:
                break
        if inbox in self._held:
            # A message held back by Reorder goes in right after this one overtook it.
            self._release(inbox, bus, soon=True)
        if hold is not None and delays and inbox not in self._held:
            self._hold(envelope, inbox, bus, hold.within)
            delays = delays[1:]
        return delays

    def _hold(self, envelope: "Envelope", inbox: str, bus: "Carrier", within: float) -> None:
        bus.hold()  # held, not lost: the run must not count itself finished (enqueue hands the count on)
        timer = bus.timers.call_later(within, self._release, inbox, bus, False)
        self._held[inbox] = (envelope, timer)

    def _release(self, inbox: str, bus: "Carrier", soon: bool) -> None:
        envelope, timer = self._held.pop(inbox)
        timer.cancel()
        if soon:
            bus.timers.call_soon(bus.enqueue, inbox, envelope)
        else:
            bus.enqueue(inbox, envelope)

    def strip_correlation(self, envelope: "Envelope", bus: "Carrier") -> "Envelope":
        """The same message without correlation and causation ids; the fault entry remembers both."""
        e = envelope
        bus.trace.record(bus.now(), "fault", e.sender, e.type, e.message_id, e.correlation_id, e.causation_id,
                         {"fault": "uncorrelated"})
        return type(e)(e.type, e.payload, e.message_id, None, None, e.schema_version, e.time, e.sender)

    def on_handle(self, component: str, envelope: "Envelope", started: float, bus: "Carrier",
                  command: str | None = None) -> tuple[str, float] | None:
        """Whether the call ``component`` worked on since ``started`` fails, and how.

        Returns None when it succeeds, else ``(how, redeliver_after)``: ``"lost"``
        (the work never happened) or ``"after-work"`` (the work happened, the
        acknowledgement did not); either way the message comes back later.
        """
        now, e = bus.now(), envelope
        for start, end in self.crashes.get(component, ()):
            if started < start < now:
                bus.trace.record(now, "fault", component, e.type, e.message_id, e.correlation_id, e.causation_id,
                                 {"fault": "crash", "phase": "lost-work", "until": end})
                return "lost", end - now
        for index, rule in enumerate(self.failures):
            key = ("failures", index)
            if (rule.component == component and rule.matches(e.type, component)
                    and rule.runs(command or e.type) and self._fires(key, rule)):
                how = "after-work" if rule.after_work else "lost"
                bus.trace.record(now, "fault", component, e.type, e.message_id, e.correlation_id, e.causation_id,
                                 {"fault": "fail", "call": self._seen[key], "when": how})
                return how, self.redelivery_delay
        return None
