"""Runs side by side: one column per run, one row per measure, all computed from each run's trace.

The course keeps asking the same question — same services, same seed, one
thing changed: what else changed? This table answers it in one glance:
outcomes, messages, latency and the invariants each run broke.

>>> from playground.scenarios import order_flow
>>> table = side_by_side({"troupe": order_flow(orders=5, seed=1).run(),
...                       "conductor": order_flow(orders=5, seed=1, wiring="orchestration").run()},
...                      invariants=("paid-without-invoice",))
>>> print(table)
                               troupe  conductor
orders                              5          5
  completed                         5          5
messages sent                      40         75
messages per order                8.0       15.0
median latency (s)               0.98       0.98
99th percentile latency (s)      1.17       1.17
finished at (s)                   2.3        2.3
dead letters                        0          0
paid-without-invoice                0          0
>>> table.value("messages sent", "conductor")
75
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from playground.analysis.invariants import INVARIANTS, check
from playground.analysis.metrics import end_to_end, messages_per_transaction, percentile
from playground.errors import PlaygroundError

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def _outcome_order(results: Iterable["Result"]) -> list[str]:
    """Outcome names, most common first over all runs, ties alphabetical."""
    totals: dict[str, int] = {}
    for result in results:
        for state, n in result.counts().items():
            totals[state] = totals.get(state, 0) + n
    return sorted(totals, key=lambda s: (-totals[s], s))


def _measures(result: "Result", outcomes: list[str], invariants: tuple[str, ...],
              latency: bool) -> list[tuple[str, Any, str]]:
    """(row label, value, format) for one run; labels use the run's unit ("orders", "trips"...)."""
    unit = result.unit
    single = unit[:-1] if unit.endswith("s") else unit
    counts = result.counts()
    latencies = list(end_to_end(result).values()) if latency else []
    sent = sum(messages_per_transaction(result).values())
    rows: list[tuple[str, Any, str]] = [(unit, len(result.outcomes), "d")]
    rows += [(f"  {state}", counts.get(state, 0), "d") for state in outcomes]
    rows += [
        ("messages sent", result.trace.kinds()["send"], ",d"),
        (f"messages per {single}", sent / len(result.outcomes) if result.outcomes else None, ".1f"),
    ]
    if latency:
        rows += [("median latency (s)", percentile(latencies, 50) if latencies else None, ".2f"),
                 ("99th percentile latency (s)", percentile(latencies, 99) if latencies else None, ".2f")]
    rows += [("finished at (s)", result.finished_at, ",.1f"), ("dead letters", len(result.dead_letters), "d")]
    if invariants:
        found = check(result, *invariants)
        rows += [(name, len(found[name]), "d") for name in invariants]
    return rows


class Comparison:
    """A table of measures (rows) by run (columns); prints as text, renders as HTML."""

    def __init__(self, labels: list[str], rows: list[tuple[str, list[Any], str]]):
        self.labels = labels
        self.rows = rows

    def value(self, measure: str, run: str) -> Any:
        """One cell, e.g. ``value("messages sent", "orchestration")``; outcome rows are named without indent."""
        for label, values, _ in self.rows:
            if label.strip() == measure:
                if run not in self.labels:
                    raise PlaygroundError(f"There is no run called {run!r}; choose from {', '.join(self.labels)}.")
                return values[self.labels.index(run)]
        raise PlaygroundError(f"There is no measure called {measure!r}; choose from "
                              f"{', '.join(label.strip() for label, _, _ in self.rows)}.")

    def _cells(self) -> list[list[str]]:
        return [[label, *("" if v is None else format(v, fmt) for v in values)] for label, values, fmt in self.rows]

    def __str__(self) -> str:
        cells = [["", *self.labels], *self._cells()]
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        return "\n".join("  ".join([row[0].ljust(widths[0] + 2), *(c.rjust(w) for c, w in zip(row[1:], widths[1:]))])
                         .rstrip() for row in cells)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "<th></th>" + "".join(f"<th>{escape(label)}</th>" for label in self.labels)
        body = "".join("<tr>" + f"<th style='text-align:left'>{escape(row[0])}</th>"
                       + "".join(f"<td>{escape(c)}</td>" for c in row[1:]) + "</tr>" for row in self._cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def side_by_side(results: Mapping[str, "Result"], *, invariants: Iterable[str] | bool = True,
                 latency: bool = True) -> Comparison:
    """Compare runs, one column each, in the order given.

    Args:
        results: column label → a scenario result.
        invariants: True for every invariant, False for none, or the names to count violations of.
        latency: show end-to-end latency (time to a transaction's *first* terminal event); leave it
            out where a transaction has several independent endings and no single finish.
    """
    runs = dict(results)
    if not runs:
        raise PlaygroundError("side_by_side needs at least one run, e.g. side_by_side({'choreography': result}).")
    chosen = tuple(INVARIANTS) if invariants is True else () if invariants is False else tuple(
        n.replace("_", "-") for n in invariants)
    outcomes = _outcome_order(runs.values())
    per_run = [_measures(r, outcomes, chosen, latency) for r in runs.values()]
    if len({tuple(label for label, _, _ in rows) for rows in per_run}) != 1:
        raise PlaygroundError("These runs count different things (orders, trips, users...); compare runs of one scenario.")
    rows = [(label, [rows[i][1] for rows in per_run], fmt) for i, (label, _, fmt) in enumerate(per_run[0])]
    return Comparison(list(runs), rows)
