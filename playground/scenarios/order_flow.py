"""The order flow: customers place orders; invoices, payments, shipping and email follow.

>>> result = order_flow(orders=20, seed=7).run()
>>> result.counts()
Counter({'completed': 20})
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Iterable, Mapping

from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Latency, Uniform
from playground.runtime.randomness import Randomness
from playground.runtime.checks import fraction, latencies, positive_number, whole_number
from playground.scenarios.base import Scenario, builds
from playground.services import Email, Invoices, Orders, Payments, Service, Shipping
from playground.flows.orders import ORDER_REACTIONS
from playground.wiring.choreography import choreograph
from playground.wiring.agents import FaustConsumer
from playground.wiring.orchestration import check_saga, order_orchestration

if TYPE_CHECKING:  # pragma: no cover
    from playground.orchestration.saga import SagaDefinition
    from playground.orchestration.store import Store
    from playground.wiring.machines import MachineFactory

#: Default processing times in simulated seconds.
ORDER_LATENCY: dict[str, "float | Latency"] = {
    "orders": 0.01, "invoices": 0.05, "payments": Uniform(0.1, 0.5), "shipping": 0.2, "email": 0.1,
}


def _choreography(scenario: "OrderFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, ORDER_REACTIONS, randomness)


class OrderFlow(Scenario):
    """``orders`` orders arriving at ``rate`` per simulated second (exponential gaps).

    ``store`` (orchestrated wiring only) is where the orchestrator keeps its
    instances: ``"memory"`` (lost if it crashes) or a file path (SQLite, resumed).
    ``agents`` are hand-written faust agents joining the run as extra consumers
    (:class:`~playground.wiring.agents.FaustConsumer`); ``machine`` is a
    hand-written ``build(instance)`` returning a ``transitions`` machine that
    replaces the generated one (see :mod:`playground.wiring.machines`); ``saga`` is a
    saga definition of your own run instead of :data:`~playground.flows.orders.ORDER_SAGA`
    (it must start on ``OrderPlaced``).
    """

    name = "order flow"
    start_event = "OrderPlaced"
    unit = "orders"
    terminals = {"OrderCompleted": "completed", "OrderCancelled": "cancelled"}
    #: Wirings by name; the orchestrated wiring registers itself here.
    wirings = {"choreography": _choreography, "orchestration": order_orchestration}

    def __init__(self, *, orders: int = 100, seed: int = 0, rate: float = 1.0,
                 latency: Mapping[str, "float | Latency"] | None = None, decline_rate: float = 0.0,
                 malformed: int = 0, wiring: str = "choreography", faults: FaultPlan | None = None,
                 horizon: float | None = None, store: "str | os.PathLike | Store" = "memory",
                 agents: Iterable[FaustConsumer] = (), machine: "MachineFactory | None" = None,
                 saga: "SagaDefinition | None" = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults, agents=agents)
        if machine is not None and wiring != "orchestration":
            raise ScenarioError("machine= replaces the orchestrator, so it needs wiring='orchestration'.")
        check_saga(saga, wiring=wiring, machine=machine, started_by=self.start_event)
        self.saga = saga
        self.machine = machine
        self.orders = whole_number("orders", orders)
        self.rate = positive_number("rate", rate)
        self.latency = latencies(latency, ORDER_LATENCY)
        self.decline_rate = fraction("decline_rate", decline_rate)
        self.malformed = whole_number("malformed", malformed)
        if self.malformed > self.orders:
            raise ScenarioError(f"malformed ({self.malformed}) cannot exceed the number of orders ({self.orders}).")
        self.store = store

    def planned(self) -> int:
        return self.orders

    def default_horizon(self) -> float:
        # Ten times the expected arrival span plus an hour: generous, yet a cycle still ends.
        return 10 * self.orders / self.rate + 3600

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        lat = self.latency
        return {
            "orders": Orders(latency=lat["orders"]),
            "invoices": Invoices(latency=lat["invoices"]),
            "payments": Payments(latency=lat["payments"], decline_rate=self.decline_rate,
                                 rng=randomness.stream("payments")),
            "shipping": Shipping(latency=lat["shipping"]),
            "email": Email(latency=lat["email"]),
        }

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        broken = set(rng.sample(range(self.orders), self.malformed)) if self.malformed else set()
        for i in range(self.orders):
            await asyncio.sleep(rng.expovariate(self.rate))
            order_id = f"order-{i + 1:04d}"
            amount = round(rng.uniform(5, 200), 2)
            payload = {"order_id": order_id, "customer": f"customer-{rng.randrange(1, 51):02d}",
                       "amount": f"{amount} EUR" if i in broken else amount}
            self._ids.append(order_id)
            bus.publish(bus.message("PlaceOrder", payload, sender="customers", correlation_id=order_id))


@builds(OrderFlow)
def order_flow(**params) -> OrderFlow:
    """Build the order-flow scenario; call ``.run()`` on it. See :class:`OrderFlow` for parameters."""
    return OrderFlow(**params)
