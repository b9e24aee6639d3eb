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


@pytest.fixture(autouse=True)
def _close_figures():
    """Picture tests create figures; close them so none outlive their test."""
    yield
    plt.close("all")
