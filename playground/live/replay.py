"""Replay: the panel's settings run again on simulated time, for a static result that compares fairly.

Live mode is for watching; it depends on when you clicked. A replay takes the
same settings — rate, latencies, failure and decline rates, timeout, seed —
and, when given, the crashes you made live (at the simulated moments you made
them), and runs a fixed number of orders on simulated time. The same inputs
always give the same traces, so two replays differ only where their settings
do.

>>> replay = run_replay(Settings(orders=50, seed=4))
>>> replay.results["choreography"].counts()
Counter({'completed': 50})
>>> print(replay.summary())  # doctest: +ELLIPSIS
choreography: 50 orders: 50 completed, 0 cancelled, 0 with an anomaly; 0 messages dead-lettered · trace ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from matplotlib.figure import Figure

from playground.analysis.invariants import check
from playground.live.plot import LivePlot, curves_from_result, draw
from playground.live.session import scenario_for
from playground.live.settings import Settings
from playground.runtime.faults import FailCalls, FaultPlan
from playground.runtime.result import Result


@dataclass
class Replay:
    """The results of one replay (one per wiring), its settings, and the picture."""

    settings: Settings
    results: dict[str, Result]
    crashes: dict[str, list[tuple[float, float]]]

    def anomalies(self, wiring: str) -> int:
        """Orders that broke at least one invariant (counted once however many they broke)."""
        return len({v.correlation_id for broken in check(self.results[wiring]).values() for v in broken})

    def counts(self, wiring: str) -> dict[str, int]:
        """The panel's counters for one wiring, after the replay."""
        result = self.results[wiring]
        ends = result.counts()
        return {"in flight": ends.get("unfinished", 0), "completed": ends.get("completed", 0),
                "cancelled": sum(n for s, n in ends.items() if s not in ("completed", "unfinished", "dead-lettered")),
                "anomalies": self.anomalies(wiring), "dead letters": len(result.dead_letters)}

    def summary(self, *, digest: bool = True) -> str:
        """One line per wiring; ``digest=False`` leaves out the trace fingerprint, which costs
        more than the rest of the summary together (it serialises the whole trace)."""
        lines = []
        for wiring, result in self.results.items():
            c = self.counts(wiring)
            lines.append(f"{wiring}: {len(result.outcomes):,} orders: {c['completed']:,} completed, "
                         f"{c['cancelled']:,} cancelled, {c['anomalies']:,} with an anomaly; "
                         f"{c['dead letters']:,} messages dead-lettered"
                         + (f" · trace {result.trace.digest()}" if digest else ""))
        return "\n".join(lines)

    def figure(self, title: str | None = None) -> Figure:
        return draw(self._curves(), title=title or self._title())

    def picture(self, plot: LivePlot) -> bytes:
        """The replay's picture as PNG bytes, drawn on ``plot``'s figure (kept from the last replay when it fits).

        A panel keeps one :class:`~playground.live.plot.LivePlot` for its replays,
        so a replay after the first only moves the lines instead of building a figure.
        """
        return plot.render(self._curves(), self._title())

    def _curves(self) -> dict:
        return {w: curves_from_result(r) for w, r in self.results.items()}

    def _title(self) -> str:
        s = self.settings
        return (f"replay: {s.orders:,} orders at {s.rate:g}/s, seed {s.seed}"
                + (f", crashes {', '.join(self.crashes)}" if self.crashes else ""))

    def __repr__(self) -> str:
        return self.summary()


def fault_plan(settings: Settings, crashes: Mapping[str, list[tuple[float, float]]] | None = None) -> FaultPlan:
    """The fault plan a replay runs with: the failure rates as seeded failing calls, plus the crashes."""
    failures = [FailCalls(name, fraction=rate) for name, rate in sorted(settings.failure.items()) if rate]
    return FaultPlan(crashes=dict(crashes or {}), failures=failures)


def run_replay(settings: Settings, crashes: Mapping[str, list[tuple[float, float]]] | None = None) -> Replay:
    """Run ``settings.orders`` orders with these settings on simulated time, once per wiring."""
    crashes = {name: list(windows) for name, windows in (crashes or {}).items() if windows}
    results = {}
    for wiring in settings.wirings:
        known = scenario_for(settings, wiring).components()
        # A crash of the orchestrator means nothing to the choreography, and is left out of it.
        mine = {name: windows for name, windows in crashes.items() if name in known}
        scenario = scenario_for(settings, wiring, orders=settings.orders, faults=fault_plan(settings, mine))
        results[wiring] = scenario.run()
    return Replay(settings, results, crashes)
