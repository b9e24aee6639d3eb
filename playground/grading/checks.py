"""Checks, their results and a report: what a grader knows about one submission.

A check is a function of the learner's namespace (the globals of their
executed notebook) that runs the learner's code, judges what it *did* through
runs, traces and invariants, and raises :class:`Failed` with one sentence
when the behaviour is wrong. Everything else that can go wrong — a missing
name, an exception, a loop that never ends — is caught here and turned into
one sentence too, so a report never carries a traceback.

>>> def adds(ns):
...     if ns["add"](2, 2) != 4:
...         raise Failed("`add(2, 2)` should be 4; add the numbers, do not join them")
>>> exercise = Exercise("00_demo", "Adding", [Check("adds", "add returns the sum", 2, adds)])
>>> print(exercise.run({"add": lambda a, b: a + b}).text())
00_demo · Adding: 2/2 points
  ✔ 2/2  add returns the sum
>>> print(exercise.run({"add": lambda a, b: str(a) + str(b)}, seed=1234).text())
00_demo · Adding: 0/2 points
  ✘ 0/2  add returns the sum — `add(2, 2)` should be 4; add the numbers, do not join them.
The checks drew their workloads from grading seed 1234; `playground grade --seed 1234` replays them.

Checks that run scenarios draw their workloads with :class:`~playground.grading.unseen.Unseen`
from the grading seed ``run`` is given (fresh by default) and find the real cause of a bad run
with :func:`~playground.grading.causes.verdict_on_run`.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator, Mapping

from playground.errors import PlaygroundError
from playground.grading.deadline import OutOfTime, call_with_limit, describe
from playground.grading.learner import Failed, NotDefined, explain
from playground.grading.unseen import fresh_seed, grading_seed
from playground.runtime.budget import PROGRESS_SWITCH

#: Real seconds one check may take before it is stopped.
CHECK_LIMIT = 10.0


@dataclass(frozen=True)
class Check:
    """One graded behaviour: ``id`` is the nbgrader ``grade_id`` of the cell that runs it."""

    id: str
    title: str
    points: int
    run: Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class CheckResult:
    """How one check went. ``status`` is passed, failed, error (the code raised) or timeout."""

    id: str
    title: str
    points: int
    earned: int
    status: str
    message: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def line(self) -> str:
        mark = "✔" if self.passed else "✘"
        tail = f" — {self.message}" if self.message else ""
        return f"{mark} {self.earned}/{self.points}  {self.title}{tail}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


@dataclass
class Report:
    """Every check's result for one submission, plus problems found while running the notebook itself."""

    exercise: str
    title: str
    results: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    #: The grading seed the checks drew their workloads from (``playground grade --seed`` replays it).
    seed: int | None = None

    @property
    def score(self) -> int:
        return sum(r.earned for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.points for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for an LMS: exercise, score, max_score, every check and every problem."""
        return {"exercise": self.exercise, "title": self.title, "score": self.score, "max_score": self.max_score,
                "checks": [asdict(r) for r in self.results], "problems": list(self.problems), "seed": self.seed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Report":
        return cls(data["exercise"], data["title"], [CheckResult(**r) for r in data["checks"]],
                   list(data.get("problems", ())), data.get("seed"))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def text(self) -> str:
        lines = [f"{self.exercise} · {self.title}: {self.score}/{self.max_score} points"]
        previous = None
        for r in self.results:
            # One cause often fails several checks; say it once.
            line = r.line() if r.message is None or r.message != previous else r.line().replace(
                r.message, "(the same reason as above)")
            lines.append(f"  {line}")
            previous = r.message
        if self.problems:
            lines.append("While running the notebook:")
            lines += [f"  • {p}" for p in self.problems]
        if self.seed is not None and self.score < self.max_score:
            lines.append(f"The checks drew their workloads from grading seed {self.seed}; "
                         f"`playground grade --seed {self.seed}` replays them.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())


@contextmanager
def _no_progress_bars() -> Iterator[None]:
    """A check's runs show no progress bar: its output is one verdict line, in a notebook as in a report."""
    before = os.environ.get(PROGRESS_SWITCH)
    os.environ[PROGRESS_SWITCH] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PROGRESS_SWITCH, None)
        else:
            os.environ[PROGRESS_SWITCH] = before


class Exercise:
    """A graded exercise: its id (the notebook's stem), a title and its checks, in order."""

    def __init__(self, id: str, title: str, checks: list[Check]):
        ids = [c.id for c in checks]
        if len(set(ids)) != len(ids):
            raise PlaygroundError(f"Exercise {id} declares a check id twice; give every check its own id.")
        self.id, self.title, self.checks = id, title, list(checks)

    def __getitem__(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise PlaygroundError(f"Exercise {self.id} has no check called {check_id!r}; "
                              f"choose from {', '.join(c.id for c in self.checks)}.")

    def check(self, check_id: str, namespace: Mapping[str, Any], *, limit: float = CHECK_LIMIT,
              seed: int | None = None) -> CheckResult:
        """Run one check against ``namespace``; never raises for anything the learner's code does.

        ``seed`` is the grading seed its workloads are drawn from (a fresh one by default).
        """
        check = self[check_id]
        seed = fresh_seed() if seed is None else seed

        def judged() -> None:
            # In the thread call_with_limit starts: context variables do not follow threads.
            with grading_seed(seed, check=check.id), _no_progress_bars():
                check.run(namespace)

        def result(status: str, message: str | None = None) -> CheckResult:
            earned = check.points if status == "passed" else 0
            return CheckResult(check.id, check.title, check.points, earned, status,
                               _sentence(message) if message else None)

        try:
            call_with_limit(judged, seconds=limit)
        except Failed as failed:
            return result("failed", str(failed))
        except NotDefined as missing:
            return result("error", str(missing))
        except OutOfTime as stopped:
            return result("timeout", "Your code " + describe(stopped))
        except PlaygroundError as refused:  # the playground refused what the code asked for, in its own words
            return result("error", str(refused))
        except Exception as exc:
            return result("error", explain(exc))
        return result("passed")

    def not_run(self, problems: list[str]) -> Report:
        """A report for a notebook that never got as far as the checks: no points, and why."""
        results = [CheckResult(c.id, c.title, c.points, 0, "error",
                               "Not run: the notebook did not get as far as the checks.") for c in self.checks]
        return Report(self.id, self.title, results, list(problems))

    def run(self, namespace: Mapping[str, Any], *, limit: float = CHECK_LIMIT,
            problems: list[str] | None = None, seed: int | None = None) -> Report:
        """Run every check, in order, on workloads drawn from one grading seed (fresh by default)."""
        seed = fresh_seed() if seed is None else seed
        results = [self.check(c.id, namespace, limit=limit, seed=seed) for c in self.checks]
        return Report(self.id, self.title, results, list(problems or ()), seed)
