"""The message contracts a spec implies, named the same way for every process.

For a step ``charge`` on capability ``payments``: the command ``Charge`` and its
replies ``ChargeDone`` / ``ChargeFailed``; if it can be undone, ``UndoCharge``
and ``ChargeUndone`` (all owned by ``payments``). For an interaction
``checkout``: ``CheckoutRequested`` (sent by whoever triggers it, when it is the
entry), ``CheckoutCompleted`` / ``CheckoutCancelled`` (its two ends) and the
commands ``FinishCheckout`` / ``CancelCheckout`` with which its first capability
announces them in the choreography. Every message carries the same fields:
``case`` (the instance) and ``key0`` … ``key7``, one per interaction slot, so an
orchestrator can run each follow-up interaction as its own saga instance. The
fields are the same whatever the spec, so adding an interaction changes no
existing contract.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "p", "capabilities": [{"name": "payments", "team": "money"}],
...                   "interactions": [{"name": "checkout", "trigger": "command",
...                                     "steps": [{"name": "charge", "capability": "payments", "undo": "refund"}]}]})
>>> sorted(m.name for m in spec_catalog(spec).owned_by("payments"))
['CancelCheckout', 'Charge', 'ChargeDone', 'ChargeFailed', 'ChargeUndone', 'CheckoutCancelled', 'CheckoutCompleted', 'FinishCheckout', 'UndoCharge']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from playground.catalog import Catalog, MessageSpec, domain_catalog
from playground.design.spec import ACTORS, MAX_INTERACTIONS, Interaction, ProcessSpec, SpecError, Task

#: The field naming the instance in every message of a prototype.
CASE = "case"


@lru_cache(maxsize=4096)  # every handler call names its reply: spell each name once
def camel(name: str) -> str:
    """``send_receipt`` → ``SendReceipt``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def do(step: Task) -> str:
    return camel(step.name)


def done(step: Task) -> str:
    return f"{camel(step.name)}Done"


def failed(step: Task) -> str:
    return f"{camel(step.name)}Failed"


def undo(step: Task) -> str:
    return f"Undo{camel(step.name)}"


def undone(step: Task) -> str:
    return f"{camel(step.name)}Undone"


def requested(interaction: Interaction) -> str:
    return f"{camel(interaction.name)}Requested"


def completed(interaction: Interaction) -> str:
    return f"{camel(interaction.name)}Completed"


def cancelled(interaction: Interaction) -> str:
    return f"{camel(interaction.name)}Cancelled"


def finish(interaction: Interaction) -> str:
    return f"Finish{camel(interaction.name)}"


def cancel(interaction: Interaction) -> str:
    return f"Cancel{camel(interaction.name)}"


def trigger_event(spec: ProcessSpec, interaction: Interaction) -> str:
    """The event that starts ``interaction``: its request (the entry) or the end of the one it follows."""
    if interaction.after is None:
        return requested(interaction)
    before = spec.interaction(interaction.after)
    return completed(before) if interaction.on == "completed" else cancelled(before)


def key_of(spec: ProcessSpec, interaction: Interaction) -> str:
    """The field an orchestrator reads the instance id of ``interaction`` from: ``case`` for the entry."""
    if interaction.after is None:
        return CASE
    return f"key{spec.interactions.index(interaction)}"


def payload(spec: ProcessSpec, case: str) -> dict[str, Any]:
    """The fields of every message of instance ``case``: ``case`` and one key per follow-up interaction."""
    keys = {f"key{k}": "" for k in range(MAX_INTERACTIONS)}
    keys.update({key_of(spec, i): f"{case}/{i.name}" for i in spec.interactions if i.after is not None})
    return {CASE: case, **keys}


def case_of(correlation_id: str) -> str:
    """The instance a correlation id belongs to (an orchestrated follow-up's id is ``case/interaction``)."""
    return correlation_id.split("/", 1)[0]


def spec_catalog(spec: ProcessSpec) -> Catalog:
    """A fresh catalog with every message ``spec`` implies (plus the orchestrator's own)."""
    fields = {name: str for name in payload(spec, "")}
    specs: list[MessageSpec] = []

    def add(name: str, kind: str, owner: str, meaning: str) -> None:
        specs.append(MessageSpec(name, kind, owner, dict(fields), meaning))  # type: ignore[arg-type]

    for i in spec.interactions:
        first = i.steps[0].capability
        if i.after is None:
            add(requested(i), "event", ACTORS[i.trigger], f"Someone asked for {i.name}.")
        add(finish(i), "command", first, f"Announce that {i.name} completed.")
        add(cancel(i), "command", first, f"Announce that {i.name} was cancelled.")
        add(completed(i), "event", first, f"{i.name} completed.")
        add(cancelled(i), "event", first, f"{i.name} was cancelled.")
        for s in i.steps:
            add(do(s), "command", s.capability, f"Do {s.name}.")
            add(done(s), "event", s.capability, f"{s.name} was done.")
            add(failed(s), "event", s.capability, f"{s.name} was refused.")
            if s.undo is not None:
                add(undo(s), "command", s.capability, f"Undo {s.name}: {s.undo}.")
                add(undone(s), "event", s.capability, f"{s.name} was undone.")
    names = [m.name for m in specs]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise SpecError(f"The spec makes two messages called {name!r} (from a step and an interaction with "
                            "similar names); rename one of them.")
    return domain_catalog(*specs)
