"""The decision workbook: a form over a spec that recommends as you edit, and prototypes on request.

A :class:`Workbook` is an ipywidgets ``VBox`` (leave it as the last line of a
cell to see it): one row per capability (team, latency, refusal share, human,
idempotent) and per step (how it is undone), one block per interaction
(trigger, guarantees, deadline), the five steps' answer below, refreshed on
every change, and a button that prototypes both wirings and measures them.
A value the spec refuses is shown as that one sentence and the last good spec
stays in force until the edits make a valid one again.

Everything the form does is also a method, so a notebook can use the same
workbook without rendering anything — :meth:`Workbook.set` edits a field by
its spec path, :attr:`Workbook.spec` is the current spec, :meth:`Workbook.save`
writes it as JSON beside the notebook:

>>> from playground.design.spec import load_spec
>>> book = Workbook({"name": "shop", "capabilities": [{"name": "orders", "team": "shop"},
...     {"name": "bank", "team": "money"}], "interactions": [{"name": "checkout", "trigger": "command",
...     "steps": [{"name": "place", "capability": "orders", "undo": "cancel"}, {"name": "pay", "capability": "bank"}]}]})
>>> book.recommendation.patterns()
{'checkout': 'choreograph'}
>>> book.set("interactions[0].guarantees", ["all-or-nothing"]).recommendation.patterns()
{'checkout': 'orchestrate'}
>>> book.set("capabilities[1].latency", -1).problem
"The spec's capabilities[1].latency must be a number of simulated seconds above 0, not -1."
>>> book
Workbook('shop': 2 capabilities, 1 interaction, orchestrate; refused: capabilities[1].latency)
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
from typing import Any

import ipywidgets as widgets

from playground.design.measure import Measurement, measure_prototype
from playground.design.recommend import Recommendation, recommend
from playground.design.spec import GUARANTEES, TRIGGERS, ProcessSpec, SpecError, load_spec

_PATH = re.compile(r"(\w+)|\[(\d+)\]")


def _walk(data: Any, path: str) -> tuple[Any, Any]:
    """(the container holding the field at ``path``, its key)."""
    parts = [int(i) if i else name for name, i in _PATH.findall(path)]
    for part in parts[:-1]:
        data = data[part]
    return data, parts[-1]


class Workbook(widgets.VBox):
    """The form over one spec; ``instances`` and ``seed`` are what the measure button uses."""

    def __init__(self, spec: Any, *, instances: int = 40, seed: int = 0):
        self.data = load_spec(spec).to_dict()
        self.good: ProcessSpec = load_spec(self.data)
        self.problem: str | None = None
        self.instances, self.seed = instances, seed
        self.measurement: Measurement | None = None
        self.answer = widgets.HTML()
        self.message = widgets.HTML()
        self.output = widgets.Output()
        self.button = widgets.Button(description="prototype and measure", button_style="primary")
        self.button.on_click(lambda _: self.measure())
        super().__init__([widgets.HTML(f"<h3>Process: {html.escape(self.good.name)}</h3>"), *self._fields(),
                          self.message, self.answer, self.button, self.output])
        self._refresh()

    # -- the same actions without widgets --------------------------------------------
    @property
    def spec(self) -> ProcessSpec:
        """The last spec that passed every check."""
        return self.good

    @property
    def recommendation(self) -> Recommendation:
        return recommend(self.good)

    def set(self, path: str, value: Any) -> "Workbook":
        """Change one field by its spec path (e.g. ``"interactions[0].deadline"``); returns the workbook."""
        draft = copy.deepcopy(self.data)
        try:
            holder, key = _walk(draft, path)
        except (KeyError, IndexError, TypeError):
            self.problem = f"The spec has no field {path!r}; use a path such as 'interactions[0].deadline'."
            return self._refresh()
        if value is None and isinstance(holder, dict):
            holder.pop(key, None)
        else:
            holder[key] = value
        self.data = draft  # the next edit builds on what was typed, even when it is refused for now
        try:
            self.good, self.problem = load_spec(draft), None
        except SpecError as refused:
            self.problem = str(refused)
        return self._refresh()

    def measure(self) -> Measurement:
        """Prototype the current spec in both wirings and measure them (what the button does)."""
        self.measurement = measure_prototype(self.good, instances=self.instances, seed=self.seed)
        self.output.clear_output()
        with self.output:
            print(self.measurement)
        return self.measurement

    def save(self, path: "str | os.PathLike") -> None:
        """Write the current spec as JSON (load it again with ``load_spec(path)``)."""
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.good.to_dict(), handle, indent=2)
            handle.write("\n")

    # -- widgets ---------------------------------------------------------------------
    def _bind(self, widget: widgets.Widget, path: str, convert: Any = None) -> widgets.Widget:
        def changed(change: dict) -> None:
            value = change["new"]
            self.set(path, convert(value) if convert else value)
        widget.observe(changed, names="value")
        return widget

    def _fields(self) -> list[widgets.Widget]:
        rows: list[widgets.Widget] = [widgets.HTML("<b>1 · capabilities</b>")]
        for k, c in enumerate(self.good.capabilities):
            at = f"capabilities[{k}]"
            rows.append(widgets.HBox([
                widgets.Label(c.name, layout=widgets.Layout(width="120px")),
                self._bind(widgets.Text(c.team, description="team"), f"{at}.team"),
                self._bind(widgets.FloatText(c.latency, description="latency s"), f"{at}.latency"),
                self._bind(widgets.FloatText(c.fails, description="refused"), f"{at}.fails"),
                self._bind(widgets.Checkbox(c.human, description="human"), f"{at}.human"),
                self._bind(widgets.Checkbox(c.idempotent, description="idempotent"), f"{at}.idempotent"),
            ]))
        rows.append(widgets.HTML("<b>2–3 · interactions: triggers and guarantees</b>"))
        for k, i in enumerate(self.good.interactions):
            at = f"interactions[{k}]"
            boxes = []
            for g in GUARANTEES:
                box = widgets.Checkbox(g in i.guarantees, description=g)
                box.observe(lambda change, g=g, at=at: self._toggle(at, g, change["new"]), names="value")
                boxes.append(box)
            rows.append(widgets.HBox([
                widgets.Label(i.name, layout=widgets.Layout(width="120px")),
                self._bind(widgets.Dropdown(options=TRIGGERS, value=i.trigger, description="trigger"),
                           f"{at}.trigger"),
                self._bind(widgets.Text("" if i.deadline is None else f"{i.deadline:g}", description="deadline s"),
                           f"{at}.deadline", lambda v: float(v) if v.strip() else None),
            ]))
            rows.append(widgets.HBox(boxes))
            for j, s in enumerate(i.steps):
                rows.append(self._bind(widgets.Text(s.undo or "", description=f"undo {s.name}",
                                                    style={"description_width": "initial"}),
                                       f"{at}.steps[{j}].undo", lambda v: v or None))
        return rows

    def _toggle(self, at: str, guarantee: str, on: bool) -> None:
        holder, key = _walk(self.data, f"{at}.guarantees")
        current = holder.get(key, [])
        self.set(f"{at}.guarantees", [g for g in GUARANTEES if (g in current and g != guarantee) or
                                      (g == guarantee and on)])

    def _refresh(self) -> "Workbook":
        self.message.value = (f"<p style='color:#d55e00'>{html.escape(self.problem)} The last good spec stays in "
                              "force.</p>" if self.problem else "")
        self.answer.value = f"<pre>{html.escape(str(self.recommendation))}</pre>"
        return self

    def __repr__(self) -> str:
        spec = self.good
        n_c, n_i = len(spec.capabilities), len(spec.interactions)
        text = (f"Workbook({spec.name!r}: {n_c} capabilit{'y' if n_c == 1 else 'ies'}, {n_i} interaction"
                f"{'s' * (n_i != 1)}, {self.recommendation.overall}")
        if self.problem:
            field = self.problem.split("'s ", 1)[-1].split(" ", 1)[0]
            text += f"; refused: {field}"
        return text + ")"


def workbook(spec: Any, **params: Any) -> Workbook:
    """Open the decision workbook on ``spec`` (a dict, a JSON path or a :class:`ProcessSpec`)."""
    return Workbook(spec, **params)
