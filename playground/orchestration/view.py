"""The god's-eye view: every instance's state in one table, and the saga machine as a Mermaid diagram.

This is what a central orchestrator gives for free and a choreography has
to reconstruct from events: one query answers "where is every transaction?".
Both objects render in a notebook (HTML table, native Mermaid) and as text.

>>> table = InstanceTable.from_records([
...     {"id": "trip-1", "saga": "trip", "state": "hotel", "completed": ["flight"], "reason": None,
...      "started": 0.0, "updated": 1.5, "undos": [],
...      "runs": [{"step": "hotel", "kind": "do", "status": "waiting", "attempt": 2, "deadline": 6.5}]}])
>>> print(table)
instance  saga  state  step   attempt  waiting         done    started  updated  reason
trip-1    trip  hotel  hotel        2  reply by 6.5 s  flight      0.0      1.5
1 instance: 1 hotel
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any, Iterable, Iterator

from transitions.extensions.diagrams import GraphMachine

from playground.errors import SagaDefinitionError
from playground.orchestration.machine import TERMINALS, machine_spec
from playground.orchestration.steps import Stages
from playground.runtime.mermaid import Mermaid

COLUMNS = ("instance", "saga", "state", "step", "attempt", "waiting", "done", "started", "updated", "reason")


def _row(record: dict[str, Any]) -> dict[str, Any]:
    open_runs = [r for r in (*record["runs"], *record["undos"]) if r["status"] in ("waiting", "backoff")]
    steps = [("undo " if r["kind"] == "undo" else "") + r["step"] for r in open_runs]
    waits = []
    for r in open_runs:
        if r["status"] == "backoff":
            waits.append(f"retry at {r['deadline']:g} s")
        elif r["kind"] == "approve":
            waits.append(f"a decision by {r['deadline']:g} s")
        elif r["deadline"] is not None:
            waits.append(f"reply by {r['deadline']:g} s")
        else:
            waits.append("a reply")
    return {
        "instance": record["id"], "saga": record["saga"], "state": record["state"],
        "step": ", ".join(steps), "attempt": max((r["attempt"] for r in open_runs), default=None),
        "waiting": ", ".join(waits), "done": ", ".join(record["completed"]),
        "started": record["started"], "updated": record["updated"], "reason": record["reason"] or "",
    }


class InstanceTable:
    """Rows of instance state (dicts with :data:`COLUMNS`); prints as text, renders as HTML.

    Only the first ``limit`` rows are shown; ``rows`` holds them all.
    """

    limit = 20

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows = list(rows)

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> "InstanceTable":
        return cls(_row(r) for r in records)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def counts(self) -> Counter:
        """How many instances are in each state."""
        return Counter(r["state"] for r in self.rows)

    def where(self, **match: Any) -> "InstanceTable":
        """Rows whose columns equal every given value, e.g. ``where(state="compensating")``."""
        return InstanceTable(r for r in self.rows if all(r[k] == v for k, v in match.items()))

    def in_flight(self) -> "InstanceTable":
        """Rows of instances that have not ended."""
        return InstanceTable(r for r in self.rows if r["state"] not in TERMINALS or r["step"])

    def _cells(self) -> list[tuple[str, ...]]:
        def cell(column: str, value: Any) -> str:
            if value is None:
                return ""
            return f"{value:.1f}" if column in ("started", "updated") else str(value)

        return [tuple(cell(c, r[c]) for c in COLUMNS) for r in self.rows[: self.limit]]

    def _footer(self) -> str:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(self.counts().items(), key=lambda kv: (-kv[1], kv[0])))
        more = f" (showing the first {self.limit})" if len(self.rows) > self.limit else ""
        return f"{len(self.rows)} instance{'s' if len(self.rows) != 1 else ''}: {counts or 'none'}{more}"

    def __str__(self) -> str:
        cells = [COLUMNS, *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
        right = {"attempt", "started", "updated"}
        lines = ["  ".join(f"{v:>{w}}" if COLUMNS[i] in right else f"{v:<{w}}" for i, (v, w) in enumerate(zip(row, widths))).rstrip()
                 for row in cells]
        return "\n".join([*lines, self._footer()])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in self._cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{escape(self._footer())}</p>"


#: The saga diagram is a plain Mermaid picture (the name stays for code that imports it).
Diagram = Mermaid


class _Drawn:
    """A stand-in model for the drawing machine: the diagram needs a model to hold a current state."""


def diagram(saga: Stages, *, highlight: str | None = None, instance: str | None = None) -> Diagram:
    """``saga``'s state machine in Mermaid, with state ``highlight`` (where ``instance`` is) marked.

    >>> from playground.orchestration.saga import SagaDefinition, Step
    >>> saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight")])
    >>> lines = diagram(saga, highlight="flight").source.splitlines()
    >>> [line.strip() for line in lines if "flight" in line]
    ['state "flight" as flight', 'Class flight s_active', 'new --> flight: start', 'flight --> completed: done', 'flight --> compensating: fail']
    """
    states, transitions = machine_spec(saga)
    if highlight is not None and highlight not in {s["name"] for s in states}:
        names = ", ".join(s["name"] for s in states)
        raise SagaDefinitionError(f"The saga '{saga.name}' has no state called {highlight!r}; choose from {names}.")
    model = _Drawn()
    title = f"saga {saga.name}" + (f": {instance} is in {highlight}" if instance and highlight else "")
    machine = GraphMachine(model=model, states=states, transitions=transitions, initial="new",
                           auto_transitions=False, graph_engine="mermaid", title=title, show_state_attributes=False)
    graph = machine.model_graphs[id(model)]
    graph.reset_styling()
    if highlight is not None:
        graph.set_node_style(highlight, "active")
    source = model.get_graph().draw(None)
    ends = "\n".join(f"  {name} --> [*]" for name in TERMINALS)
    return Diagram(f"{source}\n{ends}")
