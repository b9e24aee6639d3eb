"""Graded exercises: starters generated from solutions, checks that judge behaviour, a robust grader.

- :mod:`~playground.grading.build` turns ``solutions/`` into ``exercises/``
  (``playground exercises build``);
- :mod:`~playground.grading.checks` and :mod:`~playground.grading.exercises`
  hold what each exercise checks, judged from runs, traces and invariants;
- :mod:`~playground.grading.unseen` draws the workloads checks run on at
  grading time (a grading seed, recorded and replayable), and
  :mod:`~playground.grading.causes` turns a bad run into its real cause
  (dead letters quoted, handler errors placed) — a new exercise's checks use
  both in a few lines;
- :class:`SelfCheck` runs those checks inside the learner's notebook;
- :func:`grade_notebook` runs them on a fresh kernel in a process of its own,
  with time limits (``playground grade``).
"""

from playground.grading.sandbox import grade_notebook
from playground.grading.selfcheck import CheckFailed, SelfCheck

__all__ = ["CheckFailed", "SelfCheck", "grade_notebook"]
