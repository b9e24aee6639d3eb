"""What every service is: local state, commands it accepts, events it emits, a latency.

A service never knows who called it. The orchestration wiring sends it
commands and reads the events back as replies; the choreography wiring turns
events it subscribed to into the same commands. The service code is the same.

>>> class Echo(Service):
...     name = "echo"
...     @handles("PlaceOrder")
...     def place(self, order_id, customer, amount):
...         return [emit("OrderPlaced", order_id=order_id, customer=customer, amount=amount)]
>>> Echo().handle("PlaceOrder", {"order_id": "o1", "customer": "c", "amount": 2.0, "extra": 1})
[Emit(type='OrderPlaced', payload={'order_id': 'o1', 'customer': 'c', 'amount': 2.0})]
"""

from __future__ import annotations

import random
from typing import Any, Callable, ClassVar, Mapping, NamedTuple

from playground.catalog import CATALOG, Catalog
from playground.errors import PlaygroundError
from playground.runtime.latency import Latency, as_latency
from playground.runtime.randomness import Randomness, Unseeded


class HandlerReturnError(PlaygroundError, TypeError):
    """A ``@handles`` method returned something other than a list of :func:`emit` results."""


class NotYet(Exception):
    """Raised by a handler that cannot answer yet (a record it needs is locked by an unfinished saga).

    The host does not acknowledge the message: it comes back ``after`` seconds later and is handled
    again, so the caller waits instead of getting an answer that would soon be wrong.
    """

    def __init__(self, reason: str, *, after: float = 10.0):
        super().__init__(reason)
        self.after = after


class Emit(NamedTuple):
    """An event (or command) a handler asks the wiring to publish."""

    type: str
    payload: dict[str, Any]


def emit(type: str, **payload: Any) -> Emit:
    return Emit(type, payload)


def handles(command: str) -> Callable:
    """Mark a method as the handler of ``command``; its parameters are the command's fields."""

    def mark(method: Callable) -> Callable:
        method._handles = command
        return method

    return mark


class Note(NamedTuple):
    """Something a service did that the trace should show: a state change or an effect."""

    kind: str  # "state", "effect" or "data"
    detail: dict[str, Any]


class Service:
    """Base class for a business capability; subclasses add state and ``@handles`` methods."""

    name: ClassVar[str] = ""
    commands: ClassVar[dict[str, str]] = {}
    #: The contracts its commands are read with; the host gives it the run's catalog.
    catalog: Catalog = CATALOG
    #: True while a handler runs on a message this service already worked on once but failed to acknowledge:
    #: the effect stood, the events it announced were lost. A handler that skips repeated work should then
    #: announce again what it announced the first time (a plain duplicate, by contrast, was heard already).
    redelivered: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found = dict(getattr(cls, "commands", {}))
        for attr, value in vars(cls).items():
            command = getattr(value, "_handles", None)
            if command is not None:
                found[command] = attr
        cls.commands = found

    def __new__(cls, *args: Any, **kwargs: Any) -> "Service":
        service = super().__new__(cls)
        # What it was built with, so a restart (FaultPlan(amnesia=...)) can build it again.
        service._built_with = (args, kwargs)
        return service

    def __init__(self, *, latency: "float | Latency" = 0.0, rng: random.Random | None = None):
        self.latency = as_latency(latency, what=f"the {self.name} service's latency")
        self.rng = rng if rng is not None else Unseeded(
            f"The {self.name} service", f"build it with rng=randomness.stream({self.name!r}) in build_services")
        self.notes: list[Note] = []

    def restart(self) -> None:
        """Lose everything kept in memory, as a restarted process does: run the constructor again.

        The object stays the same (the run's ``services`` still point at it); its
        attributes are the fresh ones. State a constructor reopens from a file survives.

        >>> class Counter(Service):
        ...     name = "counter"
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.seen = set()
        >>> c = Counter(latency=0.1); c.seen.add("o1"); c.restart()
        >>> c.seen, c.latency
        (set(), Fixed(seconds=0.1))
        """
        args, kwargs = self._built_with
        catalog, rng = self.catalog, self.rng
        fresh = type(self)(*args, **kwargs)
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)
        self.catalog = catalog
        if isinstance(self.rng, Unseeded):  # the run handed it its stream (give_streams): it keeps drawing from it
            self.rng = rng

    def accepts(self, command: str) -> bool:
        return command in self.commands

    def handle(self, command: str, payload: dict[str, Any]) -> list[Emit]:
        """Run ``command`` with the fields its contract declares (in the run's catalog), ignoring extra fields."""
        catalog = self.catalog
        known = self.__dict__.get("_reads")
        if known is None or known[0] is not catalog:  # first call, or a run with another catalog
            known = self._reads = (catalog, {})
        read = known[1].get(command)
        if read is None:
            method = self.commands.get(command)
            if method is None:
                raise PlaygroundError(f"The {self.name} service has no handler for '{command}'; "
                                      f"it handles {sorted(self.commands)}.")
            read = known[1][command] = (method, tuple(catalog[command].fields))
        method, fields = read
        emitted = getattr(self, method)(**{f: payload[f] for f in fields if f in payload}) or []
        if isinstance(emitted, Emit) or not isinstance(emitted, (list, tuple)):
            shown = f"emit({emitted.type!r}, ...)" if isinstance(emitted, Emit) else type(emitted).__name__
            raise HandlerReturnError(
                f"The {self.name} service's handler for '{command}' returned {shown}; return a list of them, "
                "e.g. [emit(...)], or [] when it announces nothing.")
        return list(emitted)

    def note_state(self, instance: str, before: str | None, after: str) -> None:
        self.notes.append(Note("state", {"instance": instance, "from": before, "to": after}))

    def note_effect(self, effect: str, key: str, **detail: Any) -> None:
        """Record an effect with an idempotency key, e.g. a charge keyed by order id."""
        self.notes.append(Note("effect", {"effect": effect, "key": key, **detail}))

    def note_data(self, role: str, key: str, value: Any, version: int | None = None, **detail: Any) -> None:
        """Record a value for the consistency detector: ``role`` is ``"record"`` (the system of record changed
        it), ``"copy"`` (this service's copy of it changed) or ``"read"`` (a decision used it; ``detail``
        says which decision and what was decided)."""
        self.notes.append(Note("data", {"role": role, "key": key, "value": value, "version": version, **detail}))

    def take_notes(self) -> list[Note]:
        notes, self.notes = self.notes, []
        return notes

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} latency={self.latency}>"


def give_streams(services: Mapping[str, Service], randomness: Randomness) -> None:
    """Hand every service built without ``rng=`` the run's stream of its name, so its draws follow the run's seed.

    >>> from playground.services import Payments
    >>> payments = Payments(decline_rate=0.5)
    >>> give_streams({"payments": payments}, Randomness(3))
    >>> payments.rng.random() == Randomness(3).stream("payments").random()
    True
    """
    for name, service in services.items():
        if isinstance(service.rng, Unseeded):
            service.rng = randomness.stream(name)
