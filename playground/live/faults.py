"""Faults a learner switches on and off while a live session runs.

:class:`LiveFaults` is a :class:`~playground.runtime.faults.FaultPlan` whose
outages have no end fixed in advance: ``crash("email")`` takes the email
service down *now* and ``restore("email")`` brings it back *now*. It also
holds the failure rates the panel's fields set, and turns the panel's
"duplicate" button into a one-shot :class:`~playground.runtime.faults.Duplicate`
rule. Every change is written to the trace as a ``fault`` entry, like the
faults of a planned run, and kept in :attr:`LiveFaults.actions` so a replay
can run the same crashes on simulated time.

>>> faults = LiveFaults()
>>> faults.failure_rates["payments"] = 0.2
>>> faults.down_until("email", 3.0) is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from playground.errors import PlaygroundError
from playground.runtime.faults import Duplicate, FaultPlan

if TYPE_CHECKING:  # pragma: no cover
    from playground.transport.bus import Bus
    from playground.runtime.envelope import Envelope

#: Simulated seconds a stopped consumer waits before it looks again whether it is back.
POLL = 0.25


class Window(NamedTuple):
    """One crash: from ``start`` to ``end`` simulated seconds (``end`` None while it is still down)."""

    start: float
    end: float | None


class LiveFaults(FaultPlan):
    """A fault plan changed while the run goes on: crashes without a planned end, failure rates, one-shot duplicates."""

    def __init__(self, **plan) -> None:
        super().__init__(**plan)
        self.windows: dict[str, list[Window]] = {}
        self.failure_rates: dict[str, float] = {}
        self.actions: list[tuple[float, str, str]] = []  # (time, what, target), for replays and reports
        self._bus: "Bus | None" = None
        # Live handling always consults the plan: a crash or a failure rate can appear at any moment.
        self.touches_handling = True

    def begin(self, bus: "Bus | None", rng) -> None:
        super().begin(bus, rng)
        self._bus = bus

    # -- what the panel does ---------------------------------------------------------------
    def is_down(self, component: str) -> bool:
        windows = self.windows.get(component)
        return bool(windows) and windows[-1].end is None

    def crash(self, component: str) -> None:
        """Stop ``component`` now: it takes nothing from its inbox, and the call in hand is lost."""
        bus = self._running()
        if self.is_down(component):
            return
        now = bus.now()
        self.windows.setdefault(component, []).append(Window(now, None))
        self.actions.append((now, "crash", component))
        bus.trace.record(now, "fault", component, detail={"fault": "crash", "phase": "down", "until": None})

    def restore(self, component: str) -> None:
        """Start ``component`` again now; it works through the backlog that piled up meanwhile."""
        bus = self._running()
        if not self.is_down(component):
            return
        now = bus.now()
        windows = self.windows[component]
        windows[-1] = Window(windows[-1].start, now)
        self.actions.append((now, "restore", component))
        bus.trace.record(now, "fault", component, detail={"fault": "crash", "phase": "up"})

    def duplicate_next(self, inbox: str) -> None:
        """Deliver the next message that reaches ``inbox`` twice (at-least-once delivery, literally)."""
        bus = self._running()
        # A new rule has its own counters, so count=1 means "the next matching message".
        self.messages.append(Duplicate(inbox=inbox, count=1))
        self.touches_delivery = True
        self.actions.append((bus.now(), "duplicate", inbox))

    def _running(self) -> "Bus":
        if self._bus is None:
            raise PlaygroundError("This live session is not running; press start first.")
        return self._bus

    # -- what the runtime asks ----------------------------------------------------------------
    def down_until(self, component: str, now: float) -> float | None:
        if self.is_down(component):
            # Nobody knows when it comes back: look again shortly.
            return now + POLL
        return super().down_until(component, now)

    def on_handle(self, component: str, envelope: "Envelope", started: float, bus: "Bus",
                  command: str | None = None) -> tuple[str, float] | None:
        now, e = bus.now(), envelope
        for start, end in self.windows.get(component, ()):
            if started < start <= now:
                bus.trace.record(now, "fault", component, e.type, e.message_id, e.correlation_id, e.causation_id,
                                 {"fault": "crash", "phase": "lost-work", "until": end})
                return "lost", POLL if end is None else max(end - now, 0.0)
        rate = self.failure_rates.get(component)
        if rate and self.rng.random() < rate:
            bus.trace.record(now, "fault", component, e.type, e.message_id, e.correlation_id, e.causation_id,
                             {"fault": "fail", "rate": rate, "when": "lost"})
            return "lost", self.redelivery_delay
        return super().on_handle(component, envelope, started, bus, command=command)

    def crash_windows(self, until: float) -> dict[str, list[tuple[float, float]]]:
        """Every crash so far as ``(start, end)`` windows; one still open ends at ``until``."""
        out: dict[str, list[tuple[float, float]]] = {}
        for component, windows in self.windows.items():
            rows = []
            for start, end in windows:
                stop = until if end is None else end
                if stop > start:
                    rows.append((start, stop))
            if rows:
                out[component] = rows
        return out
