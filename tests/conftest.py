"""Shared fixtures."""

import os

import matplotlib
import matplotlib.pyplot as plt
import pytest

# Plots render off-screen in tests, whatever the machine has.
matplotlib.use("Agg")
# Progress bars appear after two seconds of wall time, which would make notebook outputs
# depend on the machine's speed; kernels started by the tests inherit this switch.
os.environ["PLAYGROUND_PROGRESS"] = "0"


#: The files that take longest, slowest first, from a full run of README's test command on 2 cores (the Kafka
#: property rounds, ~250 s on a quiet machine, wait on real time; the rest are CPU-bound). That command gives
#: each file to one worker (``--dist loadfile``): a slow file handed out last runs on alone while the other core
#: idles, so these go first and the many quick files fill the gaps at the end. Re-measure with --durations.
SLOWEST_FIRST = (
    "tests/kafka/test_properties.py",
    "tests/grading/test_sandbox.py",
    "tests/grading/test_nbgrader.py",
    "tests/grading/exercises/test_transitions_machine.py",
    "tests/grading/exercises/test_write_the_spec.py",
    "tests/grading/exercises/test_faust_agent.py",
    "tests/grading/exercises/test_winner_flips.py",
    "tests/grading/exercises/test_idempotent_email.py",
    "tests/grading/exercises/test_invoice_incident.py",
    "tests/course/test_ch12_claims.py",
    "tests/grading/exercises/test_capstone.py",
    "tests/course/test_ch06_claims.py",
    "tests/grading/exercises/test_contract_evolution.py",
    "tests/grading/exercises/test_stale_decisions.py",
    "tests/grading/exercises/test_car_compensation.py",
    "tests/grading/exercises/test_loyalty_points.py",
    "course/15_on_a_real_broker.ipynb",
    "course/12_choosing_your_pattern.ipynb",
    "tests/kafka/test_broker.py",
    "tests/grading/exercises/test_move_the_boundary.py",
    "tests/live/test_presets.py",
    "tests/testing/test_planted_bugs.py",
)


def pytest_configure(config):
    # pytest-xdist hands out the files with the most tests first unless told otherwise; the slow files have few
    # (long) tests, so they would start last. Keep the order pytest_collection_modifyitems gives instead.
    if getattr(config.option, "loadscopereorder", None):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items):
    rank = {path: number for number, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def small_run():
    """A short, fully completed choreographed order flow, shared by read-only tests."""
    from playground.scenarios import order_flow

    return order_flow(orders=30, seed=11, decline_rate=0.2).run()


@pytest.fixture(scope="session", autouse=True)
def _derandomized_searches_draw_the_same_examples_in_every_process():
    """Hypothesis mixes constants from the modules a process has imported into its draws; which modules those
    are depends on the tests that ran before in the same worker, so pin the pool (see the function's docstring)."""
    from playground.testing.strategies import same_draws_whatever_is_imported

    same_draws_whatever_is_imported()


@pytest.fixture(autouse=True)
def _close_figures():
    """Picture tests create figures; close them so none outlive their test."""
    yield
    plt.close("all")
