"""Survival figures: many generated fault plans per wiring, and how the promises fared.

For each wiring, :func:`survival` runs ``plans`` generated cases (the same
strategies the property suites use, seeded, so the table is reproducible)
and counts the plans that broke a promise (the goal is 0), the transactions
left stuck (each must have a reason; only lossy plans may leave any), and the
worst recovery time: how long after its last outage or crash window closed a
run still needed to finish its last transaction.

The command ``playground survival`` prints the table (it needs the test
extra, which brings hypothesis).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The rows of the table: a label, and the scope handed to the case strategy.
WIRINGS: dict[str, dict[str, str]] = {
    "order flow · choreography": {"scenario": "order", "wiring": "choreography"},
    "order flow · orchestration": {"scenario": "order", "wiring": "orchestration"},
    "travel saga · orchestration": {"scenario": "travel", "wiring": "orchestration"},
}


@dataclass
class Survival:
    """One wiring's figures over its generated plans."""

    label: str
    plans: int = 0
    violations: int = 0
    stuck: int = 0
    transactions: int = 0
    worst_recovery: float = 0.0
    first_violation: str | None = None
    examples: list[str] = field(default_factory=list)

    def row(self) -> str:
        return (f"{self.label:<30} {self.plans:>6,} {self.violations:>11,} {self.stuck:>6,} / {self.transactions:<6,}"
                f" {self.worst_recovery:>10.1f} s")


HEADER = f"{'wiring':<30} {'plans':>6} {'violations':>11} {'stuck / transactions':>20} {'worst recovery':>14}"


def _recovery(result, faults: dict) -> float | None:
    """Seconds from the last fault window's end to the last transaction's end (None without windows)."""
    ends = [end for kind in ("outages", "crashes") for windows in faults.get(kind, {}).values() for _, end in windows]
    if not ends:
        return None
    terminals = result.terminals
    finished = [e.time for e in result.trace.entries if e.kind == "send" and e.type in terminals]
    return max(0.0, max(finished, default=0.0) - max(ends))


def survival(plans: int = 200, *, lossy: bool = False, seed: int = 0) -> list[Survival]:
    """Run ``plans`` generated cases per wiring and return each wiring's figures.

    Args:
        lossy: also draw faults that lose messages for good (drops, a memory-only orchestrator crashing).
        seed: the generator's seed; the same seed gives the same table.
    """
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as seeded

    from playground.analysis.stuck import stuck
    from playground.runtime.budget import sweep
    from playground.testing.cases import verdict
    from playground.testing.strategies import cases

    if isinstance(plans, bool) or not isinstance(plans, int) or plans < 1:
        raise ValueError(f"plans must be a whole number of at least 1, not {plans!r}.")
    def trial_for(row: Survival, scope: dict[str, str]):
        @seeded(seed)
        @settings(max_examples=plans, database=None, deadline=None, derandomize=False,
                  suppress_health_check=list(HealthCheck))
        @given(case=cases(lossy=lossy, **scope))
        def trial(case):
            result = case.run()
            step()
            row.plans += 1
            row.transactions += len(result.outcomes)
            row.stuck += len(stuck(result))
            problems = verdict(result, lossy=case.lossy)
            if problems:
                row.violations += 1
                if row.first_violation is None:
                    row.first_violation = f"{problems[0]}\n{case.snippet()}"
            recovery = _recovery(result, case.faults)
            if recovery is not None:
                row.worst_recovery = max(row.worst_recovery, recovery)

        return trial

    table = []
    with sweep(plans * len(WIRINGS), "plans") as step:
        for label, scope in WIRINGS.items():
            row = Survival(label)
            trial_for(row, scope)()
            table.append(row)
    return table


def report(table: list[Survival]) -> str:
    lines = [HEADER, *(row.row() for row in table)]
    for row in table:
        if row.first_violation:
            lines += ["", f"first violation, {row.label}:", row.first_violation]
    return "\n".join(lines)
