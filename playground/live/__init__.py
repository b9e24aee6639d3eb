"""Live mode and the control panel: the order flow running while the learner watches and acts.

In a notebook, one line gives a panel preset to a chapter's experiment:

>>> from playground.live import panel_for
>>> panel = panel_for("two-ways")
>>> panel
LivePanel('two-ways': both, 1 orders/s, speed 10×, stopped)

Nothing runs until its start button is pressed. ``panel.replay()`` runs the
same settings on simulated time instead, for a result that never changes.
"""

from playground.live.panel import LivePanel
from playground.live.presets import PRESETS, panel_for
from playground.live.replay import Replay, run_replay
from playground.live.session import LiveSession
from playground.live.settings import Settings

__all__ = ["LivePanel", "LiveSession", "PRESETS", "Replay", "Settings", "panel_for", "run_replay"]
