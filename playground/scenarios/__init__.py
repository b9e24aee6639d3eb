"""Ready-made scenarios, each a one-liner in a notebook: ``order_flow(orders=100, seed=7).run()``."""

from playground.scenarios.base import Result, Scenario
from playground.scenarios.order_flow import OrderFlow, order_flow

__all__ = ["OrderFlow", "Result", "Scenario", "order_flow"]
