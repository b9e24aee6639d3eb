"""Every benchmark script runs in its quick mode and prints one met/MISSED line per goal.

Timings are never asserted here: the goals live in the benchmarks, and a quick
run's verdicts say nothing about them (its scaled goal lines say so). The scripts run side by side, each in its
own process, started once for the module.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from playground.kafka.tansu import TansuMissing, tansu_binary

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
#: Each benchmark script → how many goals it prints.
GOALS = {"order_flow.py": 6, "travel_sagas.py": 4, "replay.py": 2, "kafka_order_flow.py": 2, "memory.py": 1,
         "guard_rails.py": 3, "kafka_orchestrated.py": 0, "prototype.py": 2,
         "chapters.py": 1}
#: A goal line: the figure, the limit, a note in parentheses where a quick run differs from the goal, the verdict.
GOAL_LINE = re.compile(r"^  goal  .+: .+, goal [≤≥] [\d.,]+\S* ?\S*( \(.+\))?  (met|MISSED)$")


def _can_run(script: str) -> str | None:
    """Why the script cannot run on this machine, or None."""
    if script.startswith("kafka"):
        try:
            tansu_binary()
        except TansuMissing as exc:
            return str(exc)
    return None


@pytest.fixture(scope="module")
def runs():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = {script: subprocess.Popen([sys.executable, str(BENCHMARKS / script), "--quick"], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for script in GOALS if _can_run(script) is None}
    finished = {}
    try:
        for script, process in started.items():
            out, err = process.communicate(timeout=300)
            finished[script] = (process.returncode, out, err)
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return finished


def test_every_benchmark_script_is_run_here():
    scripts = {p.name for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(GOALS), ("every benchmark prints its goals with benchmarks/_goals.py and has --quick; "
                                   f"list it in GOALS here with the number of goals it prints: {scripts ^ set(GOALS)}")


@pytest.mark.parametrize("script", sorted(GOALS))
def test_benchmark_prints_each_goal_with_its_verdict(script, runs):
    if _can_run(script) is not None:
        pytest.skip(_can_run(script))
    code, out, err = runs[script]
    assert code == 0, f"{script} --quick exited with {code}:\n{err[-3000:]}"
    lines = [line for line in out.splitlines() if line.lstrip().startswith("goal ")]
    assert all(GOAL_LINE.match(line) for line in lines), out
    assert len(lines) == GOALS[script], out
