"""A `transitions` machine you write yourself, orchestrating a saga on the bus.

A :class:`SagaDefinition` is turned into a state machine for you. A
:class:`MachineOrchestrator` runs one you wrote: for every instance it calls
your ``build(instance)``, which returns a plain ``transitions.Machine`` whose
model is ``instance``. Triggers are named after the events that fire them
(``"PaymentReceived"``), so every message the orchestrator hears becomes
``instance.trigger(event.type, event)``; callbacks send commands with
``instance.send("ChargePayment")``, whose fields are filled from what the
instance has heard so far.

>>> from transitions import Machine
>>> from playground.scenarios import order_flow
>>> def order_machine(order):
...     return Machine(model=order, initial="new", auto_transitions=False, states=[
...         "new", "invoicing", "charging", "shipping", "completing", "done", "cancelling", "cancelled"],
...         transitions=[
...         {"trigger": "OrderPlaced", "source": "new", "dest": "invoicing",
...          "after": lambda e: order.send("CreateInvoice")},
...         {"trigger": "InvoiceCreated", "source": "invoicing", "dest": "charging",
...          "after": lambda e: order.send("ChargePayment")},
...         {"trigger": "PaymentReceived", "source": "charging", "dest": "shipping",
...          "after": lambda e: order.send("ShipOrder")},
...         {"trigger": "PaymentFailed", "source": "charging", "dest": "cancelling",
...          "after": lambda e: order.send("CancelOrder")},
...         {"trigger": "OrderShipped", "source": "shipping", "dest": "completing",
...          "after": lambda e: order.send("CompleteOrder")},
...         {"trigger": "OrderCompleted", "source": "completing", "dest": "done"},
...         {"trigger": "OrderCancelled", "source": "cancelling", "dest": "cancelled"}])
>>> result = order_flow(orders=20, seed=3, decline_rate=0.2, wiring="orchestration", machine=order_machine).run()
>>> result.counts()
Counter({'completed': 18, 'cancelled': 2})

Bad messages are dead-lettered, never raised, as everywhere else on the bus: a
command your callbacks send is checked against the run's catalog (a name that
is not a command, or fields its contract requires and the instance cannot
fill, park the command with the reason), and an exception your callbacks or
conditions raise parks the event being handled, with a one-sentence reason;
the instance stays in whatever state it reached and the run goes on. A machine
that cannot run at all (a trigger that is no event, ``build`` returning
something else) still stops the run before it starts, with the fix.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable

from transitions import Machine, MachineError

from playground.errors import PlaygroundError, ScenarioError
from playground.runtime.envelope import Envelope
from playground.wiring.agents import raised_sentence

#: ``build(instance) -> transitions.Machine`` with ``model=instance``.
MachineFactory = Callable[["Instance"], Machine]


class MachineWiringError(PlaygroundError):
    """A hand-written machine cannot run as written."""


class Instance:
    """One saga instance, the model of your machine: its id, what it heard, and a way to send commands.

    Attributes:
        id: the instance id (the correlation id of everything it sends).
        data: every field of every message the instance heard, newest value last.
        heard: the events it heard, in order.
    """

    def __init__(self, instance_id: str, host: "MachineOrchestrator | None"):
        self.id = instance_id
        self.data: dict[str, Any] = {}
        self.heard: list[Envelope] = []
        self._host = host

    def send(self, command: str, **fields: Any) -> None:
        """Send ``command``; fields you do not give are taken from :attr:`data`."""
        if self._host is None:
            return
        self._host.send(self, command, fields)

    def __repr__(self) -> str:
        return f"<Instance {self.id} in {getattr(self, 'state', '?')}>"


class MachineOrchestrator:
    """The ``orchestrator`` inbox, running one hand-written machine per instance.

    Args:
        build: ``build(instance)`` returns a ``transitions.Machine`` whose model is ``instance``.
        starts: the event that starts an instance (default: the trigger leaving the initial state).
        key: the payload field naming the instance (default: the start event's first field).
        name: the inbox name.
    """

    components = {"orchestrator"}

    def __init__(self, build: MachineFactory, *, starts: str | None = None, key: str | None = None,
                 name: str = "orchestrator"):
        if not callable(build):
            raise ScenarioError(f"machine= takes a function build(instance) returning a transitions Machine, not {build!r}.")
        self.build, self.name = build, name
        self._starts, self._key = starts, key
        self.instances: dict[str, Instance] = {}
        self.machines: dict[str, Machine] = {}
        self.bus: Any = None
        self._cause: Envelope | None = None

    # -- reading the machine ----------------------------------------------------
    def probe(self) -> Machine:
        """The machine ``build`` makes for a blank instance (nothing is sent), to read its triggers."""
        machine = self.build(Instance("probe", None))
        if not isinstance(machine, Machine):
            raise MachineWiringError(f"build() must return a transitions Machine(model=instance, ...), "
                                     f"not {type(machine).__name__}.")
        return machine

    @staticmethod
    def triggers(machine: Machine) -> list[str]:
        """The machine's own triggers (not the ``to_<state>`` conveniences)."""
        auto = {f"to_{state}" for state in machine.states}
        return [t for t in machine.events if t not in auto]

    def attach(self, bus: Any) -> "MachineOrchestrator":
        """Open the inbox and subscribe to every event the machine has a trigger for."""
        self.bus, catalog = bus, bus.catalog
        machine = self.probe()
        triggers = self.triggers(machine)
        events = [s.name for s in catalog if s.kind == "event"]
        for trigger in triggers:
            if trigger not in catalog or catalog[trigger].kind != "event":
                match = difflib.get_close_matches(trigger, events, n=1)
                hint = f"did you mean {match[0]!r}?" if match else "name each trigger after the event that fires it."
                raise MachineWiringError(f"The machine's trigger {trigger!r} is not an event in the catalog; {hint}")
        initial = machine.initial
        leaving = [t for t in triggers
                   if any(tr.source == initial for trs in machine.events[t].transitions.values() for tr in trs)]
        self.starts = self._starts or (leaving[0] if len(leaving) == 1 else None)
        if self.starts is None:
            raise MachineWiringError(f"The machine leaves its initial state '{initial}' on {leaving or 'no trigger'}; "
                                     "say which event starts an instance with starts='SomeEvent'.")
        fields = list(catalog[self.starts].fields)
        self.key = self._key or fields[0]
        bus.add_inbox(self.name, self)
        bus.subscribe(self.name, *triggers)
        return self

    # -- messages -------------------------------------------------------------------
    async def __call__(self, envelope: Envelope) -> None:
        bus, e = self.bus, envelope
        bus.deliver(e, self.name)
        instance_id = e.payload.get(self.key, e.correlation_id) if isinstance(e.payload, dict) else None
        instance = self.instances.get(instance_id)
        if instance is None and e.type == self.starts:
            try:
                instance = self._new(instance_id)
            except MachineWiringError:
                raise  # build() returns no machine for its instance: nothing can run
            except Exception as exc:  # build() raised for this instance: park the event that would start it
                bus.dead_letter(e, f"build({instance_id!r}) failed on {e.type}: {raised_sentence(exc)}", at=self.name)
                return
        if instance is None:
            bus.dead_letter(e, f"no instance {instance_id!r} is running to hear {e.type}; only {self.starts} "
                               "starts one", at=self.name)
            return
        instance.heard.append(e)
        instance.data.update(e.payload)
        before = instance.state
        self._cause = e
        try:
            instance.trigger(e.type, e)
        except MachineError:
            bus.dead_letter(e, f"{instance.id} is in state '{before}', where the machine has no transition for "
                               f"{e.type}; add one with source '{before}' or pass ignore_invalid_triggers=True "
                               "to Machine(...) to let it pass", at=self.name)
            return
        except Exception as exc:  # a callback or condition raised: park this event, keep the run going
            bus.dead_letter(e, f"the machine of {instance.id} failed on {e.type} in state '{before}': "
                               f"{raised_sentence(exc)}", at=self.name)
        finally:
            self._cause = None
        if instance.state != before:
            bus.trace.record(bus.now(), "state", self.name, e.type, e.message_id, instance.id, e.causation_id,
                             {"instance": instance.id, "from": before, "to": instance.state})

    def _new(self, instance_id: str) -> Instance:
        instance = Instance(instance_id, self)
        machine = self.build(instance)
        if not isinstance(machine, Machine) or instance not in machine.models:
            raise MachineWiringError("build(instance) must return Machine(model=instance, ...), with the instance "
                                     "it was given as the model.")
        self.instances[instance_id] = instance
        self.machines[instance_id] = machine
        return instance

    def send(self, instance: Instance, command: str, given: dict[str, Any]) -> None:
        """Publish ``command`` for ``instance``, or dead-letter it with the reason it cannot be sent."""
        bus = self.bus
        catalog = bus.catalog
        spec = catalog[command] if command in catalog else None
        fields = spec.fields if spec is not None else given
        payload = {f: given[f] if f in given else instance.data.get(f) for f in fields if f in given
                   or f in instance.data}
        message = bus.message(command, payload, sender=self.name, correlation_id=instance.id, cause=self._cause)
        if spec is None or spec.kind != "command":
            if spec is not None:
                why = f"an event, not a command; {spec.owner} announces it, a machine only asks with commands"
            else:
                match = difflib.get_close_matches(command, [s.name for s in catalog if s.kind == "command"], n=1)
                why = "not a command in the catalog; " + (f"did you mean {match[0]!r}?" if match
                                                          else "check the spelling or declare it.")
            bus.dead_letter(message, f"a callback of {instance.id} sends {command!r}, which is {why}", at=self.name)
            return
        problem = catalog.contract_problem(command, payload)
        if problem:
            fix = (f"; pass it to send({command!r}, ...) or hear an event that carries it first"
                   if problem.endswith("is missing") else "")
            bus.dead_letter(message, f"{command} from {self.name} breaks its contract: {problem}{fix}", at=self.name)
            return
        bus.publish(message)

    def states(self) -> dict[str, str]:
        """Every instance's current state."""
        return {i: inst.state for i, inst in self.instances.items()}

    def close(self) -> None:
        """Nothing to release (the scenario base calls this on every orchestrator host)."""


def machine_summary(machine: Machine) -> dict[str, Any]:
    """States, triggers and transitions of a ``transitions`` machine, read from the machine itself."""
    auto = {f"to_{state}" for state in machine.states}
    rows = []
    for trigger, event in machine.events.items():
        if trigger in auto:
            continue
        for source, transitions in event.transitions.items():
            for t in transitions:
                rows.append({"trigger": trigger, "source": source, "dest": t.dest,
                             "conditions": [getattr(c.func, "__name__", str(c.func)) for c in t.conditions]})
    return {"states": list(machine.states), "initial": machine.initial,
            "triggers": [t for t in machine.events if t not in auto], "transitions": rows}
