"""A hand-written faust agent and a hand-written transitions machine, unchanged, on simulated time and on Kafka.

The wiring code is the same function for both transports; only the bus
differs. Payments declines by a rule on the amount (not a random draw), so
every order must end the same way on both.
"""

import asyncio
import threading

from learner_code import order_machine, points_agent
from playground import ORDER_REACTIONS, FaustConsumer, MachineOrchestrator, check, choreograph, host_services
from playground.kafka.bus import KafkaBus
from playground.kafka.client import orders_for
from playground.workers.results import live_result
from playground.runtime.clock import run_simulated
from playground.runtime.randomness import Randomness
from playground.runtime.result import outcomes_from
from playground.scenarios.order_flow import OrderFlow
from playground.services import Email, Invoices, Orders, Payments, Shipping, emit, handles
from playground.transport.bus import Bus

ORDERS = 12


class PickyPayments(Payments):
    """Declines a card the first time for amounts over 120, every time for amounts over 170."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tries = {}

    @handles("ChargePayment")
    def charge(self, order_id, amount):
        self.tries[order_id] = self.tries.get(order_id, 0) + 1
        if amount > 170 or (amount > 120 and self.tries[order_id] == 1):
            return [emit("PaymentFailed", order_id=order_id, reason="card declined")]
        return super().charge(order_id, amount)


def services():
    return {"orders": Orders(), "invoices": Invoices(), "payments": PickyPayments(), "shipping": Shipping(),
            "email": Email()}


def with_agent(bus):
    choreograph(bus, services(), ORDER_REACTIONS, Randomness(1))
    FaustConsumer("points", points_agent, hears=["OrderCompleted"]).attach(bus)


def with_machine(bus):
    host_services(bus, services(), Randomness(1))
    MachineOrchestrator(order_machine).attach(bus)


def simulated(wire):
    async def main():
        bus = Bus()
        wire(bus)
        await bus.start()
        for envelope in orders_for(ORDERS, batch="hand", seed=3):
            bus.publish(envelope)
        await bus.drained()
        await bus.stop()
        return bus.trace

    return run_simulated(main, horizon=600)


def on_kafka(broker, topology, wire, done):
    async def main():
        bus = KafkaBus(broker.url, topology=topology, state_dir=False, name="hand")
        wire(bus)
        await bus.start()
        try:
            for envelope in orders_for(ORDERS, batch="hand", seed=3):
                bus.publish(envelope)
            for _ in range(1200):
                if done(bus.trace) or bus.failure is not None:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # anything still to come (a duplicate, a stray reply) has time to show
        finally:
            await bus.stop()
        assert bus.failure is None, bus.failure
        return bus.trace

    # In a thread with a deadline: a stuck start or stop fails the test instead of hanging the run.
    outcome = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(main())), daemon=True)
    runner.start()
    runner.join(120)
    assert outcome, "the Kafka run did not start, finish and stop within 120 s"
    return outcome[0]


def ended(trace, extra=lambda trace, ids: True):
    ids = [e.correlation_id for e in orders_for(ORDERS, batch="hand", seed=3)]
    outcomes = outcomes_from(trace, ids, OrderFlow.terminals)
    return "unfinished" not in outcomes.values() and extra(trace, outcomes)


def test_a_hand_written_agent_awards_the_same_points_on_simulated_time_and_on_kafka(broker, topology):
    def points_done(trace, outcomes):
        return len(trace.where(kind="send", type="PointsAwarded")) == list(outcomes.values()).count("completed")

    runs = {"simulated": simulated(with_agent),
            "kafka": on_kafka(broker, topology, with_agent, lambda t: ended(t, points_done))}
    ids = [e.correlation_id for e in orders_for(ORDERS, batch="hand", seed=3)]
    results = {name: live_result(trace, ids) for name, trace in runs.items()}
    assert results["simulated"].outcomes == results["kafka"].outcomes
    assert set(results["kafka"].counts()) == {"completed", "cancelled"}
    for result in results.values():
        awarded = [e.correlation_id for e in result.trace.where(kind="send", type="PointsAwarded")]
        assert sorted(awarded) == sorted(o for o, end in result.outcomes.items() if end == "completed")
        assert all(not found for found in check(result).values())


def test_a_hand_written_machine_orchestrates_the_same_outcomes_on_simulated_time_and_on_kafka(broker, topology):
    runs = {"simulated": simulated(with_machine), "kafka": on_kafka(broker, topology, with_machine, ended)}
    ids = [e.correlation_id for e in orders_for(ORDERS, batch="hand", seed=3)]
    results = {name: live_result(trace, ids) for name, trace in runs.items()}
    assert results["simulated"].outcomes == results["kafka"].outcomes
    assert set(results["kafka"].counts()) == {"completed", "cancelled"}
    for result in results.values():
        # the retried charges: orders declined once and then paid were charged twice
        charged = result.trace.where(kind="send", type="ChargePayment")
        assert len(charged) > ORDERS
        assert all(not found for found in check(result).values())
        assert not result.trace.where(kind="dead_letter")


def uneven_agent(app, events, send):
    """Raises on some orders and sends a malformed PointsAwarded for others: both must be dead-lettered alike."""
    @app.agent(events)
    async def award(stream):
        async for event in stream:
            order = event.payload["order_id"]
            kind = int(order[-1]) % 3
            if kind == 0:
                raise KeyError("amount")
            payload = {"order_id": order, "points": 1}
            if kind == 2:
                payload["customer"] = event.payload["customer"]
            send("PointsAwarded", payload, cause=event)

    return award


def with_uneven_agent(bus):
    choreograph(bus, services(), ORDER_REACTIONS, Randomness(1))
    FaustConsumer("points", uneven_agent, hears=["OrderCompleted"]).attach(bus)


def test_what_a_hand_written_agent_gets_wrong_is_dead_lettered_alike_on_simulated_time_and_on_kafka(broker, topology):
    def parked(trace):
        return sorted((d.correlation_id, d.type, d.detail["reason"]) for d in trace.where(kind="dead_letter"))

    def all_seen(trace, outcomes):
        completed = list(outcomes.values()).count("completed")
        return len(parked(trace)) + len(trace.where(kind="send", type="PointsAwarded")) == completed

    runs = {"simulated": simulated(with_uneven_agent),
            "kafka": on_kafka(broker, topology, with_uneven_agent, lambda t: ended(t, all_seen))}
    assert parked(runs["simulated"]) == parked(runs["kafka"])  # and on_kafka asserted the process never failed
    reasons = {reason for _, _, reason in parked(runs["kafka"])}
    assert reasons == {"the points agent failed on OrderCompleted: KeyError: 'amount'",
                       "PointsAwarded from points breaks its contract: field 'customer' is missing"}
