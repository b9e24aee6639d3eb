"""Floors only point down: import-linter's contracts in pyproject.toml hold, and a planted violation breaks them.

The contracts name package folders, so a new module inherits its folder's
floor. These tests run ``lint-imports`` in a child process (grimp reads the
package from ``sys.path``; a child process reads the copy we point it at).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint(project: Path) -> subprocess.CompletedProcess:
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    return subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(project), "PATH": "", "NO_COLOR": "1"})


def test_the_package_keeps_every_contract():
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


#: (module to edit, line to add, the contract that must break, what the report names)
PLANTS = [
    ("runtime/clock.py", "import playground.scenarios.base", "Floors only point down",
     "playground.runtime is not allowed to import playground.scenarios"),
    ("kafka/topics.py", "from playground.services.base import Service", "Floors only point down",
     "playground.kafka is not allowed to import playground.services"),
    ("wiring/choreography.py", "import playground.wiring.orchestration", "The two wirings stay independent",
     "playground.wiring.choreography is not allowed to import playground.wiring.orchestration"),
    ("analysis/metrics.py", "import playground.transport.bus", "never the machinery",
     "playground.analysis is not allowed to import playground.transport"),
    ("runtime/trace.py", "import playground.runtime.faults", "No import circles",
     "No cycles are allowed in playground.runtime"),
]


@pytest.mark.parametrize("module, line, contract, names", PLANTS, ids=[p[2] + ": " + p[0] for p in PLANTS])
def test_a_planted_violation_breaks_its_contract(tmp_path, module, line, contract, names):
    shutil.copytree(ROOT / "playground", tmp_path / "playground", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    planted = tmp_path / "playground" / module
    planted.write_text(planted.read_text() + f"\n{line}  # planted by the test\n")
    run = lint(tmp_path)
    assert run.returncode != 0, run.stdout
    report = " ".join(run.stdout.split())
    assert f"{contract}" in report and "BROKEN" in report, run.stdout
    assert names in report, run.stdout
