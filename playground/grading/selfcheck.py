"""The self-check inside an exercise notebook: the same checks ``playground grade`` runs, one cell each.

An exercise notebook ends with cells like::

    from playground.grading import SelfCheck
    self_check = SelfCheck("07_loyalty_points", globals())
    self_check("points_for_completed_orders")   # one graded cell per check
    self_check.summary()                         # the score so far

A passing check prints one line; a failing one raises :class:`CheckFailed`
whose message is the feedback, so nbgrader (which awards a graded cell its
points when it runs without error) and a learner in JupyterLab read the same
verdict.

>>> import types
>>> ns = {}
>>> check = SelfCheck("07_loyalty_points", ns)
>>> try:
...     check("points_for_completed_orders")
... except CheckFailed as failed:
...     print(failed)
0/3 points — Your notebook defines no class called `Loyalty`; keep the name the starter gives it, and make sure the cell that defines it runs without an error.
"""

from __future__ import annotations

from typing import Any, MutableMapping

from playground.grading.checks import CHECK_LIMIT, CheckResult, Report
from playground.grading.exercises import exercise
from playground.grading.unseen import fresh_seed


class CheckFailed(AssertionError):
    """A check did not pass; the message is the feedback (an AssertionError, as nbgrader expects)."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the feedback is the whole story.
        return [f"{type(self).__name__}: {self}"]


class SelfCheck:
    """Runs one exercise's checks against the notebook's own globals."""

    def __init__(self, exercise_id: str, namespace: MutableMapping[str, Any], *, limit: float = CHECK_LIMIT,
                 seed: int | None = None):
        self.exercise = exercise(exercise_id)
        self.namespace = namespace
        self.limit = limit
        #: The grading seed every check draws its workloads from (``PLAYGROUND_GRADING_SEED``, or fresh).
        self.seed = fresh_seed() if seed is None else seed
        self.results: dict[str, CheckResult] = {}

    def __call__(self, check_id: str) -> None:
        result = self.results[check_id] = self.exercise.check(check_id, self.namespace, limit=self.limit,
                                                              seed=self.seed)
        if not result.passed:
            raise CheckFailed(f"{result.earned}/{result.points} points — {result.message}")
        print(result.line())

    def report(self) -> Report:
        """The checks run so far, in the exercise's order (unrun ones are left out)."""
        done = [self.results[c.id] for c in self.exercise.checks if c.id in self.results]
        return Report(self.exercise.id, self.exercise.title, done, seed=self.seed)

    def summary(self) -> Report:
        """A report with every check: those not run yet in this kernel are run now."""
        for check in self.exercise.checks:
            if check.id not in self.results:
                self.results[check.id] = self.exercise.check(check.id, self.namespace, limit=self.limit,
                                                             seed=self.seed)
        return self.report()
