"""The article's five dimensions as data: figures per wiring, winners, the article's claims, flips.

A :class:`Scorecard` holds measured :class:`Figure` objects grouped by
dimension; :func:`~playground.analysis.experiments.scorecard` produces one by
experiment. A dimension's winner is the wiring at least as good on every
scored figure and better on one (within the card's tolerance); ``"tie"`` when
they are level, ``"split"`` when each wins a figure.

>>> card = Scorecard("demo", 1, [
...     Figure("evolution & change", "teams to add a consumer", {"orchestration": 2, "choreography": 1}, "lower")])
>>> card.winners(), card.verdicts()[0][3]
({'evolution & change': 'choreography'}, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.errors import PlaygroundError

WIRINGS = ("orchestration", "choreography")

#: The five dimensions, in the article's order.
DIMENSIONS = ("control & visibility", "coupling & autonomy", "error handling & compensation",
              "scalability & resilience", "evolution & change")

#: What the article's comparison table claims for each dimension: (the wiring it favours, the claim in brief).
ARTICLE = {
    "control & visibility": ("orchestration", "one place shows every instance's state"),
    "coupling & autonomy": ("choreography", "services stay independent; teams change alone"),
    "error handling & compensation": ("orchestration", "rollback is explicit and central"),
    "scalability & resilience": ("choreography", "no central bottleneck; partial failures tolerated"),
    "evolution & change": ("choreography", "new consumers need no change to producers"),
}



@dataclass(frozen=True)
class ChangeRequest:
    """One change a team asks for, as the factory arguments that describe the system after it.

    Args:
        title: what is asked for, in a few words.
        requested_by: the team (component) that wants it.
        after: factory arguments that differ once the change is made, e.g. ``{"screening": True}``.
        kind: ``"step"`` (a step added to the process), ``"consumer"`` (a new consumer) or anything else.
    """

    title: str
    requested_by: str
    after: Mapping[str, Any]
    kind: str = "other"


@dataclass(frozen=True)
class Figure:
    """One measured figure of one dimension, per wiring.

    ``better`` is ``"lower"`` or ``"higher"`` for a figure that decides the
    winner, ``None`` for one shown for context only.
    """

    dimension: str
    name: str
    values: Mapping[str, float]
    better: str | None
    unit: str = ""

    def winner(self, tolerance: float = 0.05) -> str | None:
        """The wiring with the better value, ``"tie"`` when within ``tolerance`` (relative), None if unscored."""
        if self.better is None:
            return None
        (a, va), (b, vb) = self.values.items()
        if abs(va - vb) <= tolerance * max(abs(va), abs(vb)) + 1e-9:
            return "tie"
        low = a if va < vb else b
        return low if self.better == "lower" else (b if low == a else a)


@dataclass
class Scorecard:
    """Every figure measured, by dimension, with the runs' details kept for a closer look."""

    scenario: str
    seed: int
    figures: list[Figure]
    details: dict[str, Any] = field(default_factory=dict)
    tolerance: float = 0.05
    #: What a reader must know about how the figures were measured (e.g. runs that took fewer transactions).
    notes: list[str] = field(default_factory=list)

    def dimensions(self) -> list[str]:
        return [d for d in DIMENSIONS if any(f.dimension == d for f in self.figures)]

    def figure(self, dimension: str, name: str) -> Figure:
        for f in self.figures:
            if f.dimension == dimension and f.name == name:
                return f
        names = [f.name for f in self.figures if f.dimension == dimension]
        raise PlaygroundError(f"The scorecard has no figure {name!r} under {dimension!r}; it has {names}.")

    def value(self, dimension: str, name: str, wiring: str) -> float:
        return self.figure(dimension, name).values[wiring]

    def winners(self) -> dict[str, str]:
        """Each measured dimension's winner: a wiring, ``"tie"`` or ``"split"``."""
        out = {}
        for dimension in self.dimensions():
            votes = {f.winner(self.tolerance) for f in self.figures if f.dimension == dimension} - {None, "tie"}
            out[dimension] = "tie" if not votes else votes.pop() if len(votes) == 1 else "split"
        return out

    def verdicts(self) -> list[tuple[str, str, str, bool]]:
        """(dimension, the article's favourite, the measured winner, whether they agree) per dimension."""
        return [(d, ARTICLE[d][0], w, ARTICLE[d][0] == w) for d, w in self.winners().items()]

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for f in self.figures:
            cells = [_format(f.values[w]) + (f" {f.unit}" if f.unit else "") for w in WIRINGS]
            rows.append((f.dimension, f.name, *cells, f.winner(self.tolerance) or "(context)"))
        return rows

    def __str__(self) -> str:
        lines = [f"{self.scenario} · seed {self.seed}", *(f"note: {n}" for n in self.notes),
                 f"{'dimension':<30} {'figure':<44} {'orchestration':>14} {'choreography':>14}  better"]
        lines += [f"{d:<30} {n:<44} {o:>14} {c:>14}  {w}" for d, n, o, c, w in self.rows()]
        lines.append("winners: " + "; ".join(f"{d}: {w}" for d, w in self.winners().items()))
        return "\n".join(lines)

    __repr__ = __str__


def _format(value: float) -> str:
    if float(value).is_integer():
        return f"{value:.0f}"
    # A rate of a few per hour would print as 0.00 per second: keep three significant digits instead.
    return f"{value:.3g}" if abs(value) < 0.01 else f"{value:.2f}"


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural when ``n`` is not one (for figure names)."""
    return f"{n} {noun}{'s' * (n != 1)}"


def flips(before: Scorecard, after: Scorecard) -> dict[str, tuple[str, str]]:
    """Dimensions whose winner differs between two scorecards: dimension → (winner before, winner after)."""
    a, b = before.winners(), after.winners()
    return {d: (a[d], b[d]) for d in a if d in b and a[d] != b[d]}
