"""The ``playground grade`` and ``playground exercises build`` commands.

``grade`` prints per-check feedback and a score (``--json`` for an LMS) and
exits 0 with full marks, 1 otherwise; ``exercises build`` regenerates the
starters from the solutions and ``--check`` only reports drift.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from playground.cli_types import positive_seconds
from playground.errors import PlaygroundError
from playground.grading.checks import CHECK_LIMIT


def _grade(args: argparse.Namespace) -> int:
    from playground.grading.sandbox import grade_notebook

    report = grade_notebook(args.notebook, exercise_id=args.exercise, limit=args.limit, timeout=args.timeout,
                            seed=args.seed)
    print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if args.json else report.text())
    return 0 if report.score == report.max_score else 1


def _build(args: argparse.Namespace) -> int:
    from playground.grading.build import build, drift

    solutions, exercises = Path(args.solutions), Path(args.exercises)
    for flag, folder in (("--solutions", solutions), ("--exercises", exercises)):
        if flag == "--exercises" and not args.check:
            break  # build writes the exercises folder
        if not folder.is_dir():
            raise PlaygroundError(f"{flag} {folder}: there is no such folder; "
                                  "run the command from the repository or give the folder's path.")
    if not any(solutions.glob("*.ipynb")):
        raise PlaygroundError(f"--solutions {solutions} holds no notebooks; point it at the folder with the "
                              "reference solutions (solutions/ in the repository).")
    changed = drift(solutions, exercises) if args.check else build(solutions, exercises)
    verb = "out of date" if args.check else "written"
    for name in changed:
        print(f"{exercises / name}: {verb}")
    if not changed:
        print(f"{exercises}: every starter matches {solutions}")
    return 1 if args.check and changed else 0


def add_grading_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``grade`` and ``exercises build`` to the ``playground`` command."""
    grade = sub.add_parser("grade", help="run an exercise notebook on a fresh kernel and check it")
    grade.add_argument("notebook", help="the exercise notebook, e.g. exercises/07_loyalty_points.ipynb")
    grade.add_argument("--json", action="store_true", help="print the report as JSON (for an LMS)")
    grade.add_argument("--exercise", help="which exercise it is, when the file was renamed")
    grade.add_argument("--limit", type=positive_seconds, default=CHECK_LIMIT,
                       help=f"real seconds each cell and each check may take (default {CHECK_LIMIT:g})")
    grade.add_argument("--timeout", type=positive_seconds, help="real seconds for the whole grading (default: from --limit)")
    grade.add_argument("--seed", type=int, help="the grading seed the checks draw their unseen workloads from "
                                                "(default: PLAYGROUND_GRADING_SEED or a fresh one; "
                                                "the report names it, so a grading can be replayed)")
    grade.set_defaults(handler=_grade)

    exercises = sub.add_parser("exercises", help="work with the graded exercises")
    what = exercises.add_subparsers(dest="action", required=True)
    build = what.add_parser("build", help="generate exercises/ from solutions/")
    build.add_argument("--solutions", default="solutions", help="the source folder (default: ./solutions)")
    build.add_argument("--exercises", default="exercises", help="the folder to write (default: ./exercises)")
    build.add_argument("--check", action="store_true", help="only report starters that differ; exit 1 if any")
    build.set_defaults(handler=_build)
