"""The simulated clock against an independent discrete-event model of the same queues.

simpy knows nothing of faust, envelopes or our loop. Each service is a
single-server FIFO queue whose service times come from the same seeded
streams; if our runtime times anything wrongly (a lost wake-up, an extra
delay, a reordering), the two disagree.
"""

import pytest
import simpy

from playground.runtime.latency import Exponential, as_latency
from playground.runtime.randomness import Randomness
from playground.scenarios import order_flow
from playground.scenarios.order_flow import ORDER_LATENCY

#: (service, message it handles) for each hop of an order, in order.
HOPS = [("orders", "PlaceOrder"), ("invoices", "OrderPlaced"), ("payments", "InvoiceCreated"),
        ("invoices", "PaymentReceived"), ("shipping", "InvoicePaid"), ("orders", "OrderShipped"),
        ("email", "OrderCompleted")]


def simpy_model(orders, seed, rate, latency):
    env = simpy.Environment()
    randomness = Randomness(seed)
    servers = {name: simpy.Resource(env, capacity=1) for name in latency}
    lat_rng = {name: randomness.stream(f"latency:{name}") for name in latency}
    ends = {}

    def order(order_id):
        for service, message in HOPS:
            with servers[service].request() as turn:
                yield turn
                yield env.timeout(latency[service].sample(lat_rng[service]))
            ends[(order_id, service, message)] = env.now

    def arrivals():
        rng = randomness.stream("workload")
        for i in range(orders):
            yield env.timeout(rng.expovariate(rate))
            rng.uniform(5, 200)  # the amount and customer draws the workload makes
            rng.randrange(1, 51)
            env.process(order(f"order-{i + 1:04d}"))

    env.process(arrivals())
    env.run()
    return ends


@pytest.mark.parametrize("seed, rate, overrides", [
    (1, 1.0, {}),
    (2, 4.0, {"payments": Exponential(0.3), "shipping": Exponential(0.25)}),  # heavy queueing
])
def test_every_handler_finishes_when_the_queueing_model_says(seed, rate, overrides):
    latency = {name: as_latency(value) for name, value in {**ORDER_LATENCY, **overrides}.items()}
    result = order_flow(orders=300, seed=seed, rate=rate, latency=overrides).run()
    ours = {(e.correlation_id, e.at, e.type): e.time for e in result.trace.where(kind="end")}
    expected = simpy_model(300, seed, rate, latency)
    assert len(ours) == len(expected) == 300 * len(HOPS)
    assert ours == expected  # exact float equality, not approximately
    waits = [e.time for e in result.trace.where(kind="start", at="payments")]
    assert len(waits) == 300
