"""Panels preset to a chapter's experiment: ``panel_for("two-ways")`` and friends.

Each preset sets the knobs a chapter's experiment starts from, a sentence
telling the learner what to try, and (for the replay) the crashes the
chapter's story needs. A preset's panel registers under the preset's name, so
running the cell again replaces the old panel and stops its sessions.

>>> panel = panel_for("email-outage")
>>> panel.settings.wiring, panel.planned_crashes
('both', {'email': [(60.0, 180.0)]})
>>> sorted(PRESETS)
['email-outage', 'invoice-incident', 'playground', 'two-ways']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.errors import ScenarioError
from playground.live.panel import LivePanel
from playground.live.settings import Settings
from playground.runtime.latency import LongTail, Uniform


@dataclass(frozen=True)
class Preset:
    """A panel's starting point for one experiment."""

    title: str
    hint: str
    settings: dict[str, Any]
    crashes: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    "playground": Preset(
        "The order flow, live",
        "Press <b>start</b>, then change any knob or crash a service and watch the counters and the plot.",
        {"wiring": "both", "rate": 1.0, "speed": 10.0, "orders": 1000}),
    # Chapter 00: payments slower than the order rate, so work piles up in front of them.
    "two-ways": Preset(
        "Chapter 00 · a service that cannot keep up",
        "Payments take 0.9–1.5 s per charge while orders arrive about once a second. Press <b>start</b> and "
        "watch the payments backlog climb; then type <code>0.3-0.7</code> into its latency and watch it drain.",
        {"wiring": "both", "rate": 1.0, "latency": {"payments": Uniform(0.9, 1.5)}, "decline_rate": 0.05,
         "speed": 10.0, "seed": 7, "orders": 300}),
    # Chapter 03: the invoice that would not die — a fixed payment timeout and a long-tailed payment service.
    "invoice-incident": Preset(
        "Chapter 03 · the invoice that would not die",
        "One payment in twenty takes 8 s; the orchestrator gives up after 5 s and cancels the invoice. "
        "Press <b>start</b>, then <b>slow next payment</b>, and watch the orders with an anomaly in the orchestrated "
        "wiring. Try a timeout of <code>off</code> and reset.",
        {"scenario": "invoice-incident", "wiring": "both", "rate": 0.5,
         "latency": {"payments": LongTail(0.3, 8.0, 0.05)}, "timeout": 5.0, "speed": 10.0, "seed": 1,
         "orders": 200}),
    # Chapter 08: the email service goes down; who keeps taking orders?
    "email-outage": Preset(
        "Chapter 08 · the email service is down",
        "Press <b>start</b>, then <b>crash</b> email. The choreography keeps completing orders while email's "
        "backlog grows; the orchestrator waits 10 s at its email step, then undoes orders that were done. "
        "<b>Restore</b> email and watch the backlogs drain; set the timeout to <code>off</code> and compare.",
        {"scenario": "confirmation", "wiring": "both", "rate": 1.0, "timeout": 10.0, "speed": 10.0, "seed": 8,
         "orders": 300},
        crashes={"email": [(60.0, 180.0)]}),
}


def panel_for(name: str = "playground", *, key: str | None = None, **settings: Any) -> LivePanel:
    """A control panel preset to experiment ``name``; keyword arguments override its settings.

    Args:
        name: one of :data:`PRESETS`.
        key: registry key (default: ``name``); a new panel under the same key stops the old one.
        **settings: any :class:`~playground.live.settings.Settings` field, e.g. ``speed=20``.
    """
    if name not in PRESETS:
        raise ScenarioError(f"There is no panel preset called {name!r}; choose from {', '.join(sorted(PRESETS))}.")
    preset = PRESETS[name]
    merged = {**preset.settings, **settings}
    if "latency" in settings:
        merged["latency"] = {**preset.settings.get("latency", {}), **settings["latency"]}
    return LivePanel(Settings(**merged), key=key or name, title=preset.title, hint=preset.hint,
                     planned_crashes=preset.crashes)
