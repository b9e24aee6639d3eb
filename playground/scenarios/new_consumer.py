"""The order flow with a newcomer: one more service joins the choreography by subscribing to events.

Nothing else changes — not a producer's code, not a producer's reactions.
The newcomer hears the events it asks for and runs its own commands; the
rest of the flow cannot tell it is there (that is the claim chapter 07
tests, and the loyalty exercise grades).

>>> from playground.services import Service, emit, handles
>>> class Tally(Service):
...     name = "loyalty"
...     def __init__(self, **kwargs):
...         super().__init__(**kwargs)
...         self.done = set()
...     @handles("AwardPoints")
...     def award(self, order_id, customer):
...         self.done.add(order_id)
>>> result = order_flow_with(Tally, {"OrderCompleted": "AwardPoints"}, orders=10, seed=2).run()
>>> len(result.services["loyalty"].done), result.counts()
(10, Counter({'completed': 10}))
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.catalog import CATALOG
from playground.errors import ScenarioError
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.scenarios.order_flow import OrderFlow
from playground.services.base import Service
from playground.flows.orders import ORDER_REACTIONS
from playground.wiring.choreography import choreograph
from playground.scenarios.base import builds


def _choreography(scenario: "NewConsumer", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    reactions = {**ORDER_REACTIONS, scenario.consumer.name: dict(scenario.reactions)}
    choreograph(bus, services, reactions, randomness)


class NewConsumer(OrderFlow):
    """:class:`OrderFlow` plus ``consumer`` (a Service class) reacting as ``reactions`` says.

    Args:
        consumer: the newcomer's class; a fresh instance serves every run.
        reactions: event type → the consumer's command it runs when that event arrives.
        **params: everything :class:`OrderFlow` takes (orders, seed, faults...).
    """

    name = "order flow with a newcomer"
    wirings = {"choreography": _choreography}

    def __init__(self, consumer: type[Service], reactions: Mapping[str, str], **params: Any):
        super().__init__(**params)
        if not (isinstance(consumer, type) and issubclass(consumer, Service)):
            raise ScenarioError(f"The newcomer must be a Service class, not {consumer!r}.")
        if not consumer.name or consumer.name in ORDER_REACTIONS:
            raise ScenarioError(f"The newcomer needs a name of its own (a class attribute `name`), not "
                                f"{consumer.name!r}; the order flow already has {', '.join(ORDER_REACTIONS)}.")
        if not isinstance(reactions, Mapping) or not reactions:
            raise ScenarioError("The newcomer's reactions must be a dict of event type → command, with at least one entry.")
        for event, command in reactions.items():
            if event not in CATALOG or CATALOG[event].kind != "event":
                raise ScenarioError(f"The newcomer reacts to {event!r}, which is not an event in the catalog; "
                                    "subscribe to events the order flow publishes.")
            if command not in consumer.commands:
                raise ScenarioError(f"The newcomer maps {event} to {command!r}, but {consumer.__name__} has no "
                                    f"@handles({command!r}) method; it handles {sorted(consumer.commands) or 'nothing yet'}.")
        self.consumer = consumer
        self.reactions = dict(reactions)

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        services[self.consumer.name] = self.consumer()
        return services


@builds(NewConsumer)
def order_flow_with(consumer: type[Service], reactions: Mapping[str, str], **params: Any) -> NewConsumer:
    """The order flow with ``consumer`` joining it; call ``.run()``. See :class:`NewConsumer`."""
    return NewConsumer(consumer, reactions, **params)
