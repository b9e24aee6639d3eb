"""The two wirings of a spec: reaction tables for the interactions choreographed, sagas for those orchestrated.

**Choreographed**, an interaction is a chain of reactions: the first step's
capability hears the trigger, each next capability hears the previous step's
``…Done`` event, and the first capability announces the end (``Finish…``) when
it hears the last step done. A refusal starts the rollback at the newest
earlier step that can be undone; each undone step hands over to the one
before it, and the first capability announces the cancellation when the
oldest is undone (or at once, when nothing before the refusal can be undone).

**Orchestrated**, an interaction is one saga: its steps with their undo
commands as compensations, started by the trigger, announcing the same
``…Completed`` / ``…Cancelled`` events as the choreography so that whatever
follows hears the same thing either way. With a ``deadline`` guarantee each
step gets a share of the deadline as its timeout (the rest is kept for undoing),
in proportion to its capability's latency, and is tried once more within it;
otherwise a step waits ten times its capability's latency and is tried twice
more. A person is asked once. An undo waits ten times its capability's
latency for an answer and is tried again for hours (:data:`UNDO_RETRY`), so a
rollback outlasts an outage.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "p", "capabilities": [{"name": "shop", "team": "a"}, {"name": "bank", "team": "b"}],
...     "interactions": [{"name": "buy", "trigger": "command", "steps": [
...         {"name": "reserve", "capability": "shop", "undo": "release"}, {"name": "pay", "capability": "bank"}]}]})
>>> reactions(spec, ["buy"])["shop"]
{'BuyRequested': 'Reserve', 'PayDone': 'FinishBuy', 'ReserveFailed': 'CancelBuy', 'PayFailed': 'UndoReserve', 'ReserveUndone': 'CancelBuy'}
>>> print(sagas(spec, ["buy"])[0])
saga 'buy', started by BuyRequested, announces completed: BuyCompleted, compensated: BuyCancelled
  1. reserve: Reserve, undo UndoReserve, timeout 1s, retry ×2, late reply: compensate
  2. pay: Pay, no undo, timeout 1s, retry ×2
"""

from __future__ import annotations

from typing import Iterable

from playground.catalog import Catalog
from playground.design import messages as m
from playground.design.spec import Interaction, ProcessSpec
from playground.orchestration.saga import Announce, Retry, SagaDefinition, Step


#: Undoing must outlast an outage of the capability that undoes: twenty tries, waits doubling up to half an hour.
UNDO_RETRY = Retry(count=20, backoff=1.0, factor=2.0, max_delay=1800.0)


def _chain(spec: ProcessSpec, i: Interaction) -> list[tuple[str, str, str]]:
    """(capability, event it hears, command it runs) for one choreographed interaction."""
    steps, first = i.steps, i.steps[0].capability
    rows = [(first, m.trigger_event(spec, i), m.do(steps[0]))]
    rows += [(steps[k].capability, m.done(steps[k - 1]), m.do(steps[k])) for k in range(1, len(steps))]
    rows.append((first, m.done(steps[-1]), m.finish(i)))
    for k, step in enumerate(steps):
        undoable = [s for s in steps[:k] if s.undo is not None]
        rows.append((undoable[-1].capability, m.failed(step), m.undo(undoable[-1])) if undoable
                    else (first, m.failed(step), m.cancel(i)))
    undoable = [s for s in steps if s.undo is not None]
    rows += [(a.capability, m.undone(b), m.undo(a)) for a, b in zip(undoable, undoable[1:])]
    if undoable:
        rows.append((first, m.undone(undoable[0]), m.cancel(i)))
    return rows


def reactions(spec: ProcessSpec, choreographed: Iterable[str]) -> dict[str, dict[str, str]]:
    """Reaction tables (capability → {event: command}) for the named interactions; every capability has one."""
    tables: dict[str, dict[str, str]] = {c.name: {} for c in spec.capabilities}
    for name in choreographed:
        for capability, event, command in _chain(spec, spec.interaction(name)):
            tables[capability][event] = command
    return tables


def timeouts(spec: ProcessSpec, i: Interaction) -> list[float]:
    """Each step's whole waiting time: ten times its capability's latency, or a share of the deadline.

    With a deadline, what undoing may take (one and a half times each undoable step's latency) is kept
    aside; a step so quick that ten times its latency fits in a tenth of its fair share waits that long,
    and the rest of the budget is shared among the other steps in proportion to their latency.
    """
    latencies = [spec.capability(s.capability).latency for s in i.steps]
    if i.deadline is None:
        return [10 * t for t in latencies]
    undo = sum(spec.capability(s.capability).latency * 1.5 for s in i.steps if s.undo is not None)
    budget = max(i.deadline - undo, i.deadline / 2)
    quick = [10 * t <= 0.1 * budget / len(latencies) for t in latencies]
    rest = budget - sum(10 * t for t, q in zip(latencies, quick) if q)
    slow = sum(t for t, q in zip(latencies, quick) if not q)
    return [10 * t if q else rest * t / slow for t, q in zip(latencies, quick)]


def saga_of(spec: ProcessSpec, i: Interaction, catalog: Catalog | None = None) -> SagaDefinition:
    """The saga that orchestrates ``i``.

    A person is asked once (no retry): her task waits in her inbox for the whole time. Other steps are tried
    again after a timeout: with a deadline, once, each attempt getting half the step's share; without one,
    twice, each waiting the full time.
    """
    catalog = catalog if catalog is not None else m.spec_catalog(spec)
    steps = []
    for step, wait in zip(i.steps, timeouts(spec, i)):
        capability = spec.capability(step.capability)
        if capability.human:  # a person's task waits in her inbox: one attempt, the whole share
            retry, timeout = Retry(), wait
        elif i.deadline is not None:
            retry, timeout = Retry(count=1, backoff=0.0), wait / 2
        else:
            retry, timeout = Retry(count=2, backoff=capability.latency), wait
        extra = {"undone": (m.undone(step),)} if step.undo is not None else {}
        if step.undo is not None:
            extra["compensation_timeout"] = 10 * capability.latency
        steps.append(Step(step.name, m.do(step), m.undo(step) if step.undo is not None else None,
                          compensation_required=False, done=(m.done(step),), failed=(m.failed(step),),
                          timeout=round(timeout, 6), retry=retry, **extra))
    return SagaDefinition(i.name, steps, started_by=m.trigger_event(spec, i), key=m.key_of(spec, i),
                          announces={"completed": Announce(m.completed(i)), "compensated": Announce(m.cancelled(i))},
                          compensation_retry=UNDO_RETRY, catalog=catalog)


def sagas(spec: ProcessSpec, orchestrated: Iterable[str], catalog: Catalog | None = None) -> list[SagaDefinition]:
    """One saga per named interaction, in spec order."""
    catalog = catalog if catalog is not None else m.spec_catalog(spec)
    wanted = set(orchestrated)
    return [saga_of(spec, i, catalog) for i in spec.interactions if i.name in wanted]
