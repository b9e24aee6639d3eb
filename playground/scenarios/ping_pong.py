"""A choreography with a one-line mistake that makes two services answer each other forever.

The order flow's reaction table, except that the invoice service answers a
payment by issuing the invoice again instead of marking it paid. Payments
then charges again (idempotently, so it only re-announces the payment),
invoices issues again… ``InvoiceCreated → PaymentReceived → InvoiceCreated``.
No single service is wrong on its own; the loop exists only in the wiring,
which is why the event-flow graph, not a code review of one service, finds it.
The virtual horizon stops the run with a clear message instead of a hang;
a causation-depth limit (``max_depth``) stops the loop itself.

>>> from playground.errors import HorizonExceeded
>>> try:
...     ping_pong(orders=1, horizon=20).run()
... except HorizonExceeded as stopped:
...     print(str(stopped).split(";")[0])
The ping-pong order flow was still busy at its horizon of 20 simulated seconds (1 of 1 transactions unfinished)
>>> stopped = ping_pong(orders=1, max_depth=12).run()
>>> stopped.counts(), stopped.dead_letters[0].envelope.type
(Counter({'dead-lettered': 1}), 'InvoiceCreated')
"""

from __future__ import annotations

from typing import Any

from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.checks import whole_number
from playground.scenarios.base import builds
from playground.scenarios.order_flow import OrderFlow
from playground.services import Service
from playground.flows.orders import ORDER_REACTIONS
from playground.wiring.choreography import choreograph

#: The mistake: "PaymentReceived → CreateInvoice" where "→ MarkInvoicePaid" was meant.
PING_PONG_REACTIONS: dict[str, dict[str, str]] = {
    **ORDER_REACTIONS,
    "invoices": {**ORDER_REACTIONS["invoices"], "PaymentReceived": "CreateInvoice"},
}


def _miswired(scenario: "PingPong", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    bus.max_depth = scenario.max_depth
    choreograph(bus, services, PING_PONG_REACTIONS, randomness)


class PingPong(OrderFlow):
    """The order flow wired with :data:`PING_PONG_REACTIONS`; it never finishes on its own.

    ``max_depth`` (optional) is a guard on the bus: a message that would make
    its causation chain longer than that is dead-lettered with the reason,
    which ends the loop without waiting for the horizon.
    """

    name = "ping-pong order flow"
    wirings = {"choreography": _miswired}

    def __init__(self, *, max_depth: int | None = None, **params: Any):
        super().__init__(**params)
        self.max_depth = whole_number("max_depth", max_depth, minimum=1) if max_depth is not None else None

    def default_horizon(self) -> float:
        # The loop never ends by itself, so there is no point in waiting the order flow's hour.
        return 10 * self.orders / self.rate + 60


@builds(PingPong)
def ping_pong(**params) -> PingPong:
    """Build the cyclic scenario (same parameters as :func:`~playground.scenarios.order_flow`)."""
    return PingPong(**params)
