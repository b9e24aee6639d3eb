"""The control panel: knobs, buttons, live counters and a refreshing plot for the order flow.

A :class:`LivePanel` is an ipywidgets ``VBox``; show it by leaving it as the
last line of a cell. Nothing runs until **start** is pressed; then one live
session per chosen wiring runs on the kernel's loop, and a background task
refreshes the counters four times a second and the plot once a second.
Every field is plain text: a value that cannot be used is refused with a
sentence in the panel, and the last good value stays in force.

>>> import asyncio
>>> async def demo():
...     panel = LivePanel(Settings(rate=2, speed=50), key="doctest")
...     panel.rate.value = "-1"                       # refused, shown in the panel
...     refused = panel.message.value
...     panel.start_button.click()
...     await asyncio.sleep(0.6)
...     panel.stop_button.click()
...     await panel.idle()
...     return "greater than 0" in refused, panel.counts()["choreography"]["completed"] > 5
>>> asyncio.run(demo())
(True, True)
"""

from __future__ import annotations

import asyncio
from typing import Any

from playground.errors import PlaygroundError
from playground.live import registry
from playground.live.controls import COMPONENTS, PanelControls
from playground.live.plot import Curves, LivePlot, curves_from_tally
from playground.live.replay import Replay, run_replay
from playground.live.session import LiveSession
from playground.live.settings import (SERVICES, Settings, SettingError, parse_count, parse_fraction, parse_latency,
                                      parse_rate, parse_timeout)
from playground.live.view import counters_table, replay_text

_EMPTY = Curves(([], []), ([], []), {})


class LivePanel(PanelControls):
    """The panel's widgets (:class:`PanelControls`) driving live sessions of the order flow, plus a replay.

    Args:
        settings: the starting values of every knob.
        key: panels registered under the same key replace each other (see :mod:`playground.live.registry`).
        title, hint: a heading and one paragraph telling the learner what to try.
        planned_crashes: crash windows a replay uses when no crash was made live.
        refresh: seconds between counter refreshes; the plot is redrawn every ``plot_every`` seconds.
        window: simulated seconds of history the live plot shows.
    """

    def __init__(self, settings: Settings | None = None, *, key: str = "panel", title: str = "The order flow, live",
                 hint: str = "", planned_crashes: dict[str, list[tuple[float, float]]] | None = None,
                 refresh: float = 0.25, plot_every: float = 1.0, window: float = 120.0):
        self.panel_key = key
        self.planned_crashes = dict(planned_crashes or {})
        self.refresh_every, self.plot_every, self.window = refresh, plot_every, window
        self.sessions: dict[str, LiveSession] = {}
        self.last_replay: Replay | None = None
        self._ticker: asyncio.Task | None = None
        self._live_plot = LivePlot()
        self._replay_plot = LivePlot(size=(8.0, 4.6))  # one figure for every replay: later ones only move lines
        super().__init__(settings if settings is not None else Settings(), title=title, hint=hint)
        self._connect()
        self._draw_plot()
        registry.adopt(key, self)

    def _connect(self) -> None:
        """Give every button and field its action."""
        for button, action in [(self.start_button, lambda: self._spawn(self.start())),
                               (self.stop_button, lambda: self._spawn(self.stop())),
                               (self.reset_button, lambda: self._spawn(self.reset())),
                               (self.place_button, self._place),
                               (self.duplicate_button, self._duplicate),
                               (self.slow_button, self._slow),
                               (self.replay_button, lambda: self._spawn(self._replay_in_thread()))]:
            button.on_click(self._guard(lambda _button, act=action: act()))
        for name in COMPONENTS:
            self.crash_buttons[name].on_click(self._guard(lambda _button, n=name: self._toggle(n, down=True)))
            self.restore_buttons[name].on_click(self._guard(lambda _button, n=name: self._toggle(n, down=False)))
        self._field(self.rate, lambda v: parse_rate(v, "the order rate"), self._apply_rate)
        self._field(self.speed, lambda v: parse_rate(v, "the speed"), lambda v: self._later(speed=v))
        self._field(self.decline, lambda v: parse_fraction(v, "the share of declined cards"), self._apply_decline)
        self._field(self.timeout, lambda v: parse_timeout(v, "the orchestrator timeout"), lambda v: self._later(timeout=v))
        self._field(self.replay_orders, parse_count, lambda v: self._set(orders=v))
        self._field(self.slow_seconds, lambda v: parse_rate(v, "the extra seconds of the slow payment"), lambda v: None)
        for n in SERVICES:
            self._field(self.latency[n], lambda v, n=n: parse_latency(v, f"the latency of {n}"),
                        lambda v, n=n: self._apply_latency(n, v))
            self._field(self.failure[n], lambda v, n=n: parse_fraction(v, f"the failure rate of {n}"),
                        lambda v, n=n: self._apply_failure(n, v))
        self.wiring.observe(self._guard(lambda change: self._apply_wiring(change["new"])), names="value")

    # -- running --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return any(s.running for s in self.sessions.values())

    async def start(self) -> None:
        """Start fresh sessions (one per wiring) and the refresh task."""
        if self.running:
            return self._say("Already running; press stop or reset first.", "info")
        self.sessions = {w: LiveSession(self.settings, wiring=w) for w in self.settings.wirings}
        # Started together, so the two wirings' clocks begin at the same moment.
        await asyncio.gather(*(s.start() for s in self.sessions.values()))
        self._ticker = asyncio.get_running_loop().create_task(self._tick(), name="live panel refresh")
        self._update_buttons()
        self._say(f"Running {' and '.join(self.sessions)} at {self.settings.speed:g}× real time.", "info")

    async def stop(self) -> None:
        """Stop every session; the counters and the plot keep their last values."""
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
            self._ticker = None
        was_running = self.running
        await asyncio.gather(*(s.stop() for s in self.sessions.values()))
        self._show_counts(check=True)
        self._draw_plot()
        self._update_buttons()
        if was_running:
            self._say("Stopped. Start again for a fresh run, or replay these settings on simulated time.", "info")

    async def reset(self, restart: bool = False) -> None:
        """Stop and forget the sessions (fresh services, trace and clock next time)."""
        await self.stop()
        self.sessions = {}
        self._show_counts()
        self._draw_plot()
        if restart:
            await self.start()
        else:
            self._say("Reset. Press start for a fresh run.", "info")

    def shutdown(self) -> None:
        """Stop everything without waiting (a newer panel took this one's place, or the cell ran again)."""
        registry.release(self.panel_key, self)
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        for session in self.sessions.values():
            if session.running:
                self._spawn(session.stop())

    async def _tick(self) -> None:
        try:
            await self._refresh_steadily()
        except PlaygroundError as exc:  # a session broke (a bug in a handler): say so and stop the others
            self._ticker = None
            self._say(str(exc), "error")
            for session in self.sessions.values():
                self._spawn(session.stop())
            self._update_buttons()

    async def _refresh_steadily(self) -> None:
        loop = asyncio.get_running_loop()
        next_plot = loop.time() + self.plot_every
        while True:
            # Short, bounded work per tick, then a real sleep: the kernel keeps serving cells in between.
            self._show_counts()
            if loop.time() >= next_plot:
                self._show_counts(check=True)
                began = loop.time()
                # Drawn in a worker thread: the GIL passes back to the loop every few milliseconds,
                # where a redraw on the loop would hold every cell and click for its whole length.
                curves, title = self._plot_data()
                self.plot.value = await asyncio.to_thread(self._live_plot.render, curves, title)
                # On a machine too busy to redraw in time, redraw less often rather than fall behind.
                next_plot = loop.time() + max(self.plot_every, 4 * (loop.time() - began))
            await asyncio.sleep(self.refresh_every)

    # -- reading -----------------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """The counters per wiring, read from the trace just now."""
        return {w: s.refresh() for w, s in self.sessions.items()}

    def _counters_html(self) -> str:
        if not self.sessions:
            return super()._counters_html()
        return counters_table({w: s.tally.counts() for w, s in self.sessions.items()},
                              {w: s.now() for w, s in self.sessions.items()})

    def _show_counts(self, check: bool = False) -> None:
        for session in self.sessions.values():
            session.refresh()
            if check:
                session.tally.check_invariants()
        self.counters.value = self._counters_html()

    def _plot_data(self) -> tuple[dict[str, Curves], str]:
        curves = {w: curves_from_tally(s.tally, self.window) for w, s in self.sessions.items()}
        title = "live: press start" if not curves else f"live ({', '.join(curves)})"
        return curves or {w: _EMPTY for w in self.settings.wirings}, title

    def _draw_plot(self) -> None:
        self.plot.value = self._live_plot.render(*self._plot_data())

    # -- replay ------------------------------------------------------------------------------------
    def crashes(self) -> dict[str, list[tuple[float, float]]]:
        """The crash windows a replay uses: those made live, else the panel's planned ones."""
        for session in self.sessions.values():
            made = session.faults.crash_windows(until=session.now())
            if made:
                return made
        return dict(self.planned_crashes)

    def replay(self) -> Replay:
        """Run the current settings on simulated time, show the result in the panel and return it."""
        replay = run_replay(self.settings, self.crashes())
        self._show_replay(replay)
        return replay

    async def _replay_in_thread(self) -> None:
        self._say(f"Replaying {self.settings.orders:,} orders on simulated time…", "info")
        settings, crashes = self.settings, self.crashes()

        def work() -> tuple[Replay, str, bytes]:
            replay = run_replay(settings, crashes)
            return replay, replay.summary(digest=False), replay.picture(self._replay_plot)

        # In a worker thread, so live sessions keep their pace meanwhile.
        self._show_replay(*await asyncio.to_thread(work))
        self._say("Replay done: the same settings always give the same result.", "info")

    def _show_replay(self, replay: Replay, summary: str | None = None, picture: bytes | None = None) -> None:
        self.last_replay = replay
        self.replay_summary.value = replay_text(summary or replay.summary(digest=False), replay.crashes)
        self.replay_plot.value = picture if picture is not None else replay.picture(self._replay_plot)
        self.replay_plot.layout.display = None  # shown now that it has a picture

    # -- what the knobs do -------------------------------------------------------------------------
    def _set(self, **changes: Any) -> None:
        self.settings = self.settings.but(**changes)

    def _later(self, **changes: Any) -> None:
        self._set(**changes)
        if self.running:
            self._say(f"The new {', '.join(changes)} applies from the next start (press reset, then start).", "info")

    def _apply_rate(self, rate: float) -> None:
        self._set(rate=rate)
        for s in self.sessions.values():
            s.set_rate(rate)

    def _apply_decline(self, rate: float) -> None:
        self._set(decline_rate=rate)
        for s in self.sessions.values():
            s.set_decline_rate(rate)

    def _apply_latency(self, service: str, latency: Any) -> None:
        self._set(latency={**self.settings.latency, service: latency})
        for s in self.sessions.values():
            if s.running:
                s.set_latency(service, latency)

    def _apply_failure(self, service: str, rate: float) -> None:
        self._set(failure={**self.settings.failure, service: rate})
        for s in self.sessions.values():
            s.set_failure_rate(service, rate)

    def _apply_wiring(self, wiring: str) -> None:
        self._set(wiring=wiring)
        self._update_buttons()
        if self.running:
            self._spawn(self.reset(restart=True))
        else:
            self.counters.value = self._counters_html()

    # -- what the buttons do -------------------------------------------------------------------------
    def _live(self) -> list[LiveSession]:
        live = [s for s in self.sessions.values() if s.running]
        if not live:
            raise PlaygroundError("Nothing is running; press start first.")
        return live

    def _place(self) -> None:
        ids = {s.place_order() for s in self._live()}
        self._say(f"Placed {', '.join(sorted(ids))}.", "info")

    def _toggle(self, component: str, *, down: bool) -> None:
        targets = [s for s in self._live() if component in s.components()]
        if not targets:
            raise SettingError(f"The {' and '.join(self.sessions)} wiring has no {component}; "
                               "choose orchestration or both to crash the orchestrator.")
        for s in targets:
            (s.crash if down else s.restore)(component)
        self._update_buttons()
        self._say(f"{component} is {'down: watch its backlog grow' if down else 'back: watch it drain'}.", "info")

    def _duplicate(self) -> None:
        target = self.duplicate_target.value
        for s in self._live():
            if target in s.components():
                s.duplicate_next(target)
        self._say(f"The next message to {target} will arrive twice.", "info")

    def _slow(self) -> None:
        seconds = parse_rate(self.slow_seconds.value, "the extra seconds of the slow payment")
        for s in self._live():
            s.slow_next("payments", seconds)
        self._say(f"The next payment takes {seconds:g} s longer.", "info")

    def _update_buttons(self) -> None:
        has_orchestrator = "orchestration" in self.settings.wirings
        for name, button in self.crash_buttons.items():
            down = any(s.running and s.faults.is_down(name) for s in self.sessions.values())
            button.disabled = down or (name == "orchestrator" and not has_orchestrator)
            self.restore_buttons[name].disabled = not down

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return (f"LivePanel({self.panel_key!r}: {self.settings.wiring}, {self.settings.rate:g} orders/s, "
                f"speed {self.settings.speed:g}×, {state})")

