"""The fault plan: what goes wrong in a run, the same object for both wirings.

The bus asks :meth:`FaultPlan.deliveries` how to deliver each message (not at
all, once, late, twice) and service hosts ask :meth:`FaultPlan.down_until`
whether their service is down. The empty plan changes nothing.

>>> plan = FaultPlan(outages={"email": [(10, 40)]})
>>> plan.down_until("email", 12.0), plan.down_until("email", 40.0), plan.down_until("orders", 12.0)
(40, None, None)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from playground.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.bus import Bus
    from playground.runtime.envelope import Envelope


class FaultPlan:
    """Faults to inject, keyed by component name.

    Args:
        outages: component name → list of ``(start, end)`` simulated-second
            windows during which it processes nothing; its inbox keeps filling.
    """

    def __init__(self, *, outages: dict[str, Iterable[tuple[float, float]]] | None = None):
        self.outages: dict[str, list[tuple[float, float]]] = {}
        for name, windows in (outages or {}).items():
            checked = []
            for window in windows:
                start, end = window
                if not (0 <= start < end):
                    raise ScenarioError(
                        f"The outage window {window!r} for '{name}' must be (start, end) with 0 <= start < end, "
                        "in simulated seconds.")
                checked.append((start, end))
            self.outages[name] = sorted(checked)

    @property
    def touches_delivery(self) -> bool:
        """Whether :meth:`deliveries` can differ from "once, now" (lets the bus skip asking)."""
        return False

    def components(self) -> set[str]:
        """Every component this plan names, so a scenario can reject unknown names."""
        return set(self.outages)

    def deliveries(self, envelope: "Envelope", inbox: str, bus: "Bus") -> list[float]:
        """Delays (seconds) at which ``envelope`` reaches ``inbox``: ``[0.0]`` means once, now."""
        return [0.0]

    def down_until(self, component: str, now: float) -> float | None:
        """When ``component`` comes back if it is down at ``now``, else None."""
        for start, end in self.outages.get(component, ()):
            if start <= now < end:
                return end
        return None
