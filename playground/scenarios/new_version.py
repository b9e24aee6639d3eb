"""The order flow with a new version of one service: same name, same commands, different code.

This is how an exercise swaps a learner's service in (an email service that
remembers what it sent, say) while everything else — the other services,
the reactions, the workload, the faults — stays exactly as it was, so any
difference in the trace is the new version's doing.

>>> from playground.services import Email
>>> class QuietEmail(Email):
...     def confirm(self, order_id, customer):
...         return []
>>> result = new_version(QuietEmail, orders=5, seed=1).run()
>>> len(result.trace.where(kind="effect", at="email")), result.counts()
(0, Counter({'completed': 5}))
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.runtime.randomness import Randomness
from playground.scenarios.order_flow import OrderFlow
from playground.services.base import Service
from playground.scenarios.base import builds


class NewVersion(OrderFlow):
    """:class:`OrderFlow` in which ``replacement`` serves instead of the service with the same name.

    Args:
        replacement: a Service class whose ``name`` is one of the order flow's
            services and which handles at least every command that service handles.
        **params: everything :class:`OrderFlow` takes (orders, seed, faults...).
    """

    name = "order flow with a new version"

    def __init__(self, replacement: type[Service], **params: Any):
        super().__init__(**params)
        if not (isinstance(replacement, type) and issubclass(replacement, Service)):
            raise ScenarioError(f"The new version must be a Service class, not {replacement!r}.")
        current = super().build_services(Randomness(0))
        if replacement.name not in current:
            raise ScenarioError(f"The new version is called {replacement.name!r}, but the order flow has no such "
                                f"service; name it after the one it replaces ({', '.join(current)}).")
        missing = sorted(set(current[replacement.name].commands) - set(replacement.commands))
        if missing:
            raise ScenarioError(f"{replacement.__name__} no longer handles {', '.join(missing)}; a new version must "
                                "keep every command of the one it replaces.")
        self.replacement = replacement

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        old = services[self.replacement.name]
        # Same processing time as the version it replaces, so timings stay comparable.
        services[old.name] = self.replacement(latency=old.latency)
        return services


@builds(NewVersion)
def new_version(replacement: type[Service], **params: Any) -> NewVersion:
    """The order flow with ``replacement`` serving instead of its namesake; call ``.run()``."""
    return NewVersion(replacement, **params)
