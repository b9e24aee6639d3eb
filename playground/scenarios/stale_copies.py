"""Copies that go stale: sales decides orders on credit against its copy of limits the credit service owns.

The credit service is the system of record for every customer's credit
limit; sales keeps a copy, fed by ``CreditLimitChanged`` events (event-carried
state transfer), and accepts an order when its amount fits the copied limit.
While the copy feed lags (:func:`consumer_lag` delays those events on their
way to sales — simulated latency, not a Kafka consumer's offset lag), sales
decides on an old limit. A late event can also arrive after a newer one and
roll the copy back for good.

Fixes are parameters: ``sales=VersionedSales`` ignores out-of-date versions,
``sales=CheckingSales`` also asks the record when the order was placed
against a newer version than its copy, ``reconcile_every=`` compares every
copy with the record that often. ``result.extras["decide"]`` is the decision
rule, so a detector can tell which stale reads changed a decision;
``result.extras["placed_against"]`` is the storefront's log of the record's
version each order was placed against.

>>> calm = stale_copies(orders=40, seed=3).run()
>>> calm.counts()["accepted"] + calm.counts()["declined"]
40
>>> lagging = stale_copies(orders=40, seed=3, faults=consumer_lag(seconds=30)).run()
>>> lagging.trace.digest() == stale_copies(orders=40, seed=3, faults=consumer_lag(seconds=30)).run().trace.digest()
True
"""

from __future__ import annotations

import asyncio
from typing import Any

from playground.errors import ScenarioError
from playground.orchestration.saga import SagaDefinition, Step
from playground.runtime.checks import fraction as a_fraction
from playground.runtime.checks import positive_number, whole_number
from playground.runtime.fault_rules import Delay
from playground.runtime.faults import FaultPlan
from playground.runtime.randomness import Randomness
from playground.scenarios.base import Scenario, builds
from playground.services.base import Service
from playground.services.credit import CreditDesk, Sales, decision
from playground.transport.bus import Bus
from playground.wiring.choreography import choreograph
from playground.wiring.orchestration import adds_orchestrator, orchestrate

#: Who reacts to what. Sales' copy is fed by events in both wirings; only the order's decision is orchestrated.
CREDIT_REACTIONS: dict[str, dict[str, str]] = {
    "credit": {"CreditCheckRequested": "CheckCredit"},
    "sales": {"CreditLimitChanged": "CopyCreditLimit", "CreditLimitsStated": "CompareCreditLimits",
              "CreditChecked": "DecideOnRecord"},
}
#: The order's decision, when an orchestrator asks for it.
CREDIT_ORDER_SAGA = SagaDefinition("credit order", [
    Step("decide", "TakeOrder", compensation_required=False,
         done=("CreditOrderAccepted", "CreditOrderDeclined"), correlate=True),
], started_by="OrderOnCredit")
#: The limits a customer can have, and what an order can cost.
LIMITS = (500.0, 1000.0, 2000.0, 4000.0)
AMOUNTS = (100, 3000)
#: Processing times in simulated seconds.
CREDIT_LATENCY = {"credit": 0.05, "sales": 0.02}
#: When sales loads its first copies (the record read in one go), and when the first order comes.
LOAD_AT, WARM_UP = 1.0, 5.0


def consumer_lag(seconds: float = 30.0, fraction: float = 1.0, *, holder: str = "sales") -> FaultPlan:
    """A fault plan in which ``fraction`` of the limit changes reach ``holder`` ``seconds`` late.

    >>> consumer_lag(20, 0.5)
    FaultPlan(messages=[Delay(seconds=20.0, type='CreditLimitChanged', inbox='sales', fraction=0.5)])
    """
    share = a_fraction("fraction", fraction)
    return FaultPlan(messages=[Delay(seconds=seconds, type="CreditLimitChanged", inbox=holder,
                                     fraction=share if share < 1 else None)])


def _choreography(scenario: "StaleCopies", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    reactions = {**CREDIT_REACTIONS, "sales": {**CREDIT_REACTIONS["sales"], "OrderOnCredit": "TakeOrder"}}
    choreograph(bus, services, reactions, randomness)


@adds_orchestrator
def _orchestration(scenario: "StaleCopies", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    host = orchestrate(bus, services, [CREDIT_ORDER_SAGA], randomness, reactions=CREDIT_REACTIONS)
    scenario.run_extras.update(orchestrator=host, compensable=[])


class StaleCopies(Scenario):
    """``orders`` orders on credit from ``customers`` customers while their limits change.

    Args:
        orders: how many orders on credit the storefront takes.
        customers: how many customers order (each starts with a limit from :data:`LIMITS`).
        rate: orders per simulated second (exponential gaps).
        change_rate: limit changes per simulated second while orders come in.
        sales: the sales service's class: :class:`~playground.services.credit.Sales` or a subclass
            (``VersionedSales``, ``CheckingSales`` or your own).
        reconcile_every: seconds between two comparisons of every copy with the record (None: never).
        wiring: ``"choreography"`` (sales hears each order) or ``"orchestration"`` (a saga asks sales).
        seed, faults, horizon: as every scenario.
    """

    name = "credit copies"
    start_event = "OrderOnCredit"
    unit = "orders"
    terminals = {"CreditOrderAccepted": "accepted", "CreditOrderDeclined": "declined"}
    wirings = {"choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, orders: int = 150, customers: int = 10, rate: float = 1.0, change_rate: float = 0.2,
                 sales: type[Service] = Sales, reconcile_every: float | None = None, seed: int = 0,
                 wiring: str = "choreography", faults: FaultPlan | None = None, horizon: float | None = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        self.orders = whole_number("orders", orders)
        self.customers = whole_number("customers", customers, minimum=1)
        self.rate = positive_number("rate", rate)
        self.change_rate = positive_number("change_rate", change_rate)
        if not (isinstance(sales, type) and issubclass(sales, Sales)):
            raise ScenarioError(f"sales must be a class based on Sales (e.g. VersionedSales), not {sales!r}.")
        self.sales = sales
        self.reconcile_every = (positive_number("reconcile_every", reconcile_every)
                                if reconcile_every is not None else None)

    def planned(self) -> int:
        return self.orders

    def default_horizon(self) -> float:
        return WARM_UP + 20 * self.orders / self.rate + 600

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        self._record = CreditDesk(latency=CREDIT_LATENCY["credit"])  # the checkout page reads its versions
        return {"credit": self._record, "sales": self.sales(latency=CREDIT_LATENCY["sales"])}

    def _schedule(self, rng) -> list[tuple[float, str, dict[str, Any]]]:
        """Every order and limit change, by time: two independent arrival streams from one seeded source."""
        names = [f"customer-{i + 1:02d}" for i in range(self.customers)]
        limits = {name: rng.choice(LIMITS) for name in names}
        plan: list[tuple[float, str, dict[str, Any]]] = [(0.0, "limit", {"customer": n, "limit": limits[n]})
                                                         for n in names]
        plan.append((LOAD_AT, "load", {}))  # sales starts from the record read in one go, not from the feed
        t = WARM_UP
        for i in range(self.orders):
            t += rng.expovariate(self.rate)
            plan.append((t, "order", {"order_id": f"order-{i + 1:04d}", "customer": rng.choice(names),
                                      "amount": float(rng.randint(*AMOUNTS))}))
        last, t = t, WARM_UP
        while True:
            t += rng.expovariate(self.change_rate)
            if t >= last:
                break
            name = rng.choice(names)
            limits[name] = rng.choice([v for v in LIMITS if v != limits[name]])
            plan.append((t, "limit", {"customer": name, "limit": limits[name]}))
        if self.reconcile_every is not None:
            t = WARM_UP + self.reconcile_every
            while t < last:
                plan.append((t, "reconcile", {}))
                t += self.reconcile_every
        return sorted(plan, key=lambda row: row[0])

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        self.run_extras["decide"] = decision
        placed = self.run_extras["placed_against"] = {}  # the storefront's log: order → record version shown
        loop = asyncio.get_running_loop()
        counters = {"limit": 0, "reconcile": 0, "load": 0}
        for when, kind, payload in self._schedule(randomness.stream("workload")):
            await asyncio.sleep(max(0.0, when - loop.time()))
            if kind == "order":
                version = placed[payload["order_id"]] = self._record.version_of(payload["customer"])
                self.begin(bus, "OrderOnCredit", {**payload, "credit_version": version}, id=payload["order_id"],
                           sender="storefront")
                continue
            counters[kind] += 1
            command = "SetCreditLimit" if kind == "limit" else "ReconcileCredit"
            bus.publish(bus.message(command, payload, sender="credit-desk" if kind == "limit" else "reconciler",
                                    correlation_id=f"{kind}-{counters[kind]:04d}"))


@builds(StaleCopies)
def stale_copies(**params: Any) -> StaleCopies:
    """Build the credit-copies scenario; call ``.run()`` on it. See :class:`StaleCopies` for parameters."""
    return StaleCopies(**params)
