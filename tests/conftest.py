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
