"""Both wirings on the same case: where their business outcomes may differ, and why.

The two wirings of the order flow run the same services on the same seed,
workload and faults. Where their semantics agree they must reach the same
business outcomes and the same effects; every difference the playground
permits is named in :data:`PERMITTED`, and :func:`differences` explains each
divergence by one of them or reports it as unexplained.

>>> from playground.testing.cases import Case
>>> case = Case("order", "choreography", seed=4, size=5,
...             faults={"outages": {"payments": [(1.0, 4.0)]}})
>>> differences(case)
[]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from playground.analysis.stuck import stuck
from playground.testing.cases import NAIVE_EFFECTS, Case

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Every difference between the wirings that the playground permits, by name → why it is allowed.
PERMITTED: dict[str, str] = {
    "lost-message": (
        "A lossy plan (Drop with a fraction or an nth) counts the messages it sees, and the orchestrated "
        "wiring sends different messages (commands and replies) from the choreographed one (events), so a "
        "drop strands different transactions in each; both must report every stranded one with a reason."),
    "naive-email": (
        "The email service is deliberately not idempotent; a repeated command or event sends one more "
        "confirmation, and which messages are repeated depends on the wiring's message counts."),
}


@dataclass(frozen=True)
class Difference:
    """One transaction (or effect) the wirings disagree on, and the permitted difference that explains it."""

    subject: str
    choreography: str
    orchestration: str
    explained_by: str | None  # a key of PERMITTED, or None when nothing explains it

    def __str__(self) -> str:
        why = f"permitted: {self.explained_by}" if self.explained_by else "UNEXPLAINED"
        return f"{self.subject}: choreography {self.choreography}, orchestration {self.orchestration} ({why})"


def _effects(result: "Result") -> Counter:
    return Counter((e.at, e.detail.get("effect"), e.detail.get("key"))
                   for e in result.trace.entries if e.kind == "effect")


def differences(case: Case, *, explained: bool = True) -> list[Difference]:
    """Run ``case`` in both wirings (orchestrator on SQLite) and list where they disagree.

    Args:
        explained: include the differences a :data:`PERMITTED` entry explains; with False only
            the unexplained ones come back.
    """
    if case.scenario != "order":
        raise ValueError(f"Only the order flow has both wirings; {case.scenario!r} has one.")
    faults = {k: v for k, v in case.faults.items() if not (k == "crashes" and "orchestrator" in v)}
    runs = {wiring: replace(case, wiring=wiring, faults=faults, store="sqlite").run()
            for wiring in ("choreography", "orchestration")}
    lossy = any(name == "Drop" for name, _ in faults.get("messages", ()))
    found: list[Difference] = []
    reasons = {w: stuck(r) for w, r in runs.items()}
    chor, orch = runs["choreography"].outcomes, runs["orchestration"].outcomes
    for order in chor:
        a, b = chor[order], orch.get(order, "missing")
        if a == b:
            continue
        ok = lossy and all(order in reasons[w] for w, o in (("choreography", a), ("orchestration", b))
                           if o in ("unfinished", "dead-lettered"))
        found.append(Difference(order, a, b, "lost-message" if ok else None))
    effects = {w: _effects(r) for w, r in runs.items()}
    for key in sorted(set(effects["choreography"]) | set(effects["orchestration"]), key=str):
        a, b = effects["choreography"][key], effects["orchestration"][key]
        if a == b:
            continue
        service, effect, subject = key
        if (service, effect) in NAIVE_EFFECTS:
            why: str | None = "naive-email"
        elif lossy and (subject in reasons["choreography"] or subject in reasons["orchestration"]):
            why = "lost-message"
        else:
            why = None
        found.append(Difference(f"{service} {effect} {subject}", f"{a}×", f"{b}×", why))
    return [d for d in found if explained or d.explained_by is None]
