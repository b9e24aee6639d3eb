"""Bounded size: runs that cannot fit are refused before they start; long runs show progress."""

import os
import subprocess
import sys
import time

import pytest

from playground.cli import main
from playground.errors import ScenarioError
from playground.runtime import budget
from playground.scenarios import order_flow


def test_a_billion_orders_are_refused_before_anything_runs(capsys):
    started = time.monotonic()
    assert main(["run", "order-flow", "--orders", "1000000000"]) == 2
    assert time.monotonic() - started < 10  # refused up front, not after a long silent run
    err = capsys.readouterr().err
    assert err.startswith("playground: 1,000,000,000 orders would need about 11 TB of memory for their trace "
                          "(about 12 KB each), more than the ")
    assert "this machine has free; run at most about " in err
    assert err.count("\n") == 1


def test_the_refusal_says_how_many_would_fit():
    with pytest.raises(ScenarioError, match=r"run at most about 71,582 trips at a time\.$"):
        budget.refuse_if_too_big(100_000, "trips", bytes_each=12_000, free=2**30)
    budget.refuse_if_too_big(71_582, "trips", bytes_each=12_000, free=2**30)  # fits: no error


def test_a_run_that_fits_is_not_refused(monkeypatch):
    monkeypatch.setattr(budget, "free_memory", lambda: 2**20)  # 1 MB free: 80 orders would not fit
    with pytest.raises(ScenarioError, match="^80 orders would need about 938 KB"):
        order_flow(orders=80).run()
    assert order_flow(orders=5).run().counts()["completed"] == 5


SHOW_PROGRESS = """
import time
from playground.runtime import budget
budget.PROGRESS_AFTER = 0.2
done = [0]
with budget.progress(10, "orders", lambda: done[0]):
    for n in range(10):
        done[0] = n + 1
        time.sleep(0.08)
print("---", flush=True)
import sys; sys.stderr.write("---\\n"); sys.stderr.flush()
with budget.progress(10, "orders", lambda: 10):
    pass
"""


def test_a_long_run_shows_progress_and_a_short_one_does_not():
    # In a process of its own: tqdm's choice of display and its shared state are process-wide.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env[budget.PROGRESS_SWITCH] = "1"
    done = subprocess.run([sys.executable, "-c", SHOW_PROGRESS], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    long_run, short_run = done.stderr.split("---\n")
    assert "orders" in long_run and "/10" in long_run
    assert short_run == ""  # over before the delay: nothing shown


def test_progress_leaves_the_trace_alone(monkeypatch):
    quiet = order_flow(orders=40, seed=3).run().trace.digest()
    monkeypatch.setenv(budget.PROGRESS_SWITCH, "1")
    monkeypatch.setattr(budget, "PROGRESS_AFTER", 0.0)
    assert order_flow(orders=40, seed=3).run().trace.digest() == quiet


def test_progress_can_be_switched_off(monkeypatch, capsys):
    monkeypatch.setenv(budget.PROGRESS_SWITCH, "0")
    monkeypatch.setattr(budget, "PROGRESS_AFTER", 0.0)
    with budget.progress(10, "orders", lambda: 5):
        time.sleep(0.3)
    assert capsys.readouterr().err == ""


def test_progress_is_off_under_pytest_unless_switched_on(monkeypatch):
    monkeypatch.delenv(budget.PROGRESS_SWITCH, raising=False)
    assert "PYTEST_CURRENT_TEST" in __import__("os").environ  # what a kernel started by nbval inherits
    assert not budget.progress_wanted()
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    assert budget.progress_wanted()


SHOW_SWEEP = """
import time
from playground.runtime import budget
budget.PROGRESS_AFTER = 0.2
with budget.sweep(6, "plans") as step:
    for n in range(6):
        with budget.progress(10, "orders", lambda: 5):  # a run inside: no bar of its own
            time.sleep(0.1)
        step()
"""


def test_a_sweep_shows_one_bar_for_all_its_runs():
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env[budget.PROGRESS_SWITCH] = "1"
    done = subprocess.run([sys.executable, "-c", SHOW_SWEEP], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    assert "plans" in done.stderr and "/6" in done.stderr
    assert "orders" not in done.stderr


def test_a_sweep_under_pytest_shows_nothing_and_still_counts(capsys):
    with budget.sweep(3, "plans") as step:
        step()
        step()
    assert capsys.readouterr().err == ""
