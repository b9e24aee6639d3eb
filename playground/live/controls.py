"""What the control panel looks like: its fields, buttons, counters and pictures, laid out.

:class:`PanelControls` builds the widgets from a
:class:`~playground.live.settings.Settings` and nothing else; what they
do is :class:`~playground.live.panel.LivePanel`'s business. Every field is
plain text so that anything can be typed — and refused with a sentence.

>>> controls = PanelControls(Settings(rate=2))
>>> controls.rate.value, controls.latency["payments"].value, sorted(controls.crash_buttons)[:2]
('2', '0.1-0.5', ['email', 'invoices'])
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import ipywidgets as W

from playground.errors import PlaygroundError
from playground.live.settings import SERVICES, WIRINGS, Settings, available_wirings, latency_text
from playground.live.tally import COUNTERS
from playground.live.view import counters_table, message

#: Everything the panel can crash and restore.
COMPONENTS = [*SERVICES, "orchestrator"]


class PanelControls(W.VBox):
    """The panel's widgets, laid out top to bottom: controls, knobs, per-component table, actions, readings, replay.

    It also runs their callbacks safely: a learner's mistake (a
    :class:`~playground.errors.PlaygroundError`) becomes a sentence in the panel,
    a bug becomes a sentence too and an entry in :attr:`errors` — never a
    traceback in the widget log.
    """

    def __init__(self, settings: Settings, *, title: str = "The order flow, live", hint: str = ""):
        self.settings = settings
        self.title = title
        self.errors: list[str] = []  # unexpected failures, also shown in the panel
        self._tasks: set[asyncio.Task] = set()
        super().__init__(children=self._build(hint))
        self.add_class("pg-panel")

    def _counters_html(self) -> str:
        zero = {name: 0 for name in COUNTERS}
        return counters_table({w: zero for w in self.settings.wirings}, {})

    def _build(self, hint: str) -> list[W.Widget]:
        s = self.settings
        text = dict(continuous_update=False, layout=W.Layout(width="9em"))
        # A described field needs room for its label and for a value such as "off" or "0.9-1.5".
        named = dict(continuous_update=False, layout=W.Layout(width="13em"), style={"description_width": "5em"})
        self.start_button = W.Button(description="start", icon="play", button_style="success")
        self.stop_button = W.Button(description="stop", icon="stop")
        self.reset_button = W.Button(description="reset", icon="refresh")
        offered = [w for w in WIRINGS if w in available_wirings() or (w == "both" and len(available_wirings()) == 2)]
        self.wiring = W.ToggleButtons(options=offered, value=s.wiring)
        self.speed = W.Text(value=f"{s.speed:g}", description="speed ×", **named)
        self.rate = W.Text(value=f"{s.rate:g}", description="orders/s", **named)
        self.decline = W.Text(value=f"{s.decline_rate:g}", description="declined", **named)
        self.timeout = W.Text(value="off" if s.timeout is None else f"{s.timeout:g}", description="timeout s",
                              **named)
        self.place_button = W.Button(description="place one order", icon="plus")
        self.latency = {n: W.Text(value=latency_text(s.latency[n]), **text) for n in SERVICES}
        self.failure = {n: W.Text(value=f"{s.failure.get(n, 0):g}", **text) for n in SERVICES}
        components = COMPONENTS
        self.crash_buttons = {n: W.Button(description="crash", button_style="danger",
                                          layout=W.Layout(width="6em")) for n in components}
        self.restore_buttons = {n: W.Button(description="restore", disabled=True,
                                            layout=W.Layout(width="6em")) for n in components}
        self.duplicate_target = W.Dropdown(options=components, value="email", layout=W.Layout(width="10em"))
        self.duplicate_button = W.Button(description="duplicate next message to", layout=W.Layout(width="16em"))
        self.slow_seconds = W.Text(value="30", **text)
        self.slow_button = W.Button(description="slow next payment by (s)", layout=W.Layout(width="16em"))
        self.message = W.HTML("")
        self.message.add_class("pg-message")
        self.counters = W.HTML(self._counters_html())
        self.counters.add_class("pg-counters")
        # Natural sizes (figure inches × dpi): stretched to the page width, the text would blow up.
        self.plot = W.Image(format="png", layout=W.Layout(width="560px", max_width="100%"))
        self.plot.add_class("pg-plot")
        self.replay_orders = W.Text(value=f"{s.orders}", description="orders", **named)
        self.replay_button = W.Button(description="replay on simulated time", icon="repeat",
                                      layout=W.Layout(width="16em"))
        self.replay_summary = W.HTML("")
        # Hidden until a replay has drawn it: an Image without a picture shows a broken-image icon.
        self.replay_plot = W.Image(format="png", layout=W.Layout(width="640px", max_width="100%", display="none"))

        header = W.HTML(f"<b>{self.title}</b>" + (f"<br>{hint}" if hint else ""))
        grid = [W.HTML("<b>component</b>"), W.HTML("<b>latency (s)</b>"), W.HTML("<b>failure rate</b>"),
                W.HTML(""), W.HTML("")]
        for n in components:
            grid += [W.HTML(n), self.latency.get(n, W.HTML("")), self.failure.get(n, W.HTML("")),
                     self.crash_buttons[n], self.restore_buttons[n]]
        table = W.GridBox(grid, layout=W.Layout(grid_template_columns="8em 10em 10em 7em 7em"))
        self.crash_buttons["orchestrator"].disabled = "orchestration" not in s.wirings
        return [header,
                W.HBox([self.start_button, self.stop_button, self.reset_button, self.wiring]),
                W.HBox([self.rate, self.decline, self.timeout, self.speed]),
                table,
                W.HBox([self.place_button, self.duplicate_button, self.duplicate_target]),
                W.HBox([self.slow_button, self.slow_seconds]),
                self.message,
                W.HBox([self.counters, self.plot]),
                W.HBox([self.replay_button, self.replay_orders]),
                self.replay_summary, self.replay_plot]

    def _field(self, widget: W.Text, parse: Callable[[str], Any], apply: Callable[[Any], None]) -> None:
        def changed(change: dict) -> None:
            try:
                value = parse(change["new"])
                apply(value)
            except PlaygroundError as exc:
                widget.add_class("pg-invalid")
                self._say(str(exc), "error")
            else:
                widget.remove_class("pg-invalid")

        widget.observe(self._guard(changed), names="value")

    async def idle(self) -> None:
        """Wait until every action started by a button has finished (for tests and notebooks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- plumbing ----------------------------------------------------------------------------------------
    def _say(self, text: str, tone: str = "plain") -> None:
        self.message.value = message(text, tone)

    def _guard(self, action: Callable[..., Any]) -> Callable[..., None]:
        """Run a widget callback; a learner's mistake becomes a message, a bug a message plus an entry in ``errors``."""
        def run(*args: Any) -> None:
            try:
                action(*args)
            except PlaygroundError as exc:
                self._say(str(exc), "error")
            except Exception as exc:  # a bug: show it where the learner looks, and keep it for tests
                self.errors.append(f"{type(exc).__name__}: {exc}")
                self._say(f"Something went wrong inside the panel: {type(exc).__name__}: {exc}", "error")
        return run

    def _spawn(self, coro: Awaitable[None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            raise PlaygroundError("Live mode needs a running event loop, as a Jupyter kernel has; "
                                  "in a script, use panel.replay() instead.") from None
        task = loop.create_task(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except PlaygroundError as exc:
            self._say(str(exc), "error")
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            self._say(f"Something went wrong inside the panel: {type(exc).__name__}: {exc}", "error")
