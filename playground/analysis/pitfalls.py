"""Four pitfalls, each with a detector: a small typed finding and a one-line verdict.

* :func:`detect_god_orchestrator` reads saga definitions: how many steps,
  services and teams one saga ties together, and how many steps at its tail
  nothing undoes (follow-up work that could hear an event instead).
* :func:`detect_chatty_events` reads a run: messages and causation depth per
  transaction against a budget, and any message loop.
* :func:`detect_lost_stories` reads a run: the transactions whose story
  cannot be told end to end from the trace, because a service published
  without the correlation id it was handed, and where each trail goes cold.
* :func:`detect_stale_copies` reads a run: copies of a value that disagree
  with their system of record, for how long, and the decisions taken on them.

Budgets (``max_teams``, ``max_messages``, ``max_depth``) are a team's choice,
not a law; the defaults are stated so a verdict can be argued with.

>>> from playground.scenarios.order_flow import order_flow
>>> detect_chatty_events(order_flow(orders=5, seed=1).run()).verdict
'within budget: at most 8 messages and 8 causation hops per transaction, no loop'
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from playground.analysis.event_graph import loops_in
from playground.analysis.lineage import causation_depth
from playground.analysis.metrics import messages_per_transaction
from playground.analysis.scope import saga_size
from playground.errors import PlaygroundError
from playground.orchestration.saga import SagaDefinition, Step

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


class Finding:
    """What every detector's answer shares: ``found`` (did the run fall in?) and a one-line ``verdict``."""

    found: bool
    verdict: str

    def __str__(self) -> str:
        return self.verdict


# -- 1. the god orchestrator ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SagaScope:
    """One saga's reach."""

    saga: str
    steps: int
    services: tuple[str, ...]   # the services it commands: each one's owners must talk to the orchestrator's team
    teams: tuple[str, ...]
    tail: tuple[str, ...]       # steps at its end that nothing undoes: candidates to react to an event instead


@dataclass(frozen=True)
class OrchestratorScope(Finding):
    """What :func:`detect_god_orchestrator` found."""

    sagas: tuple[SagaScope, ...]
    max_teams: int

    @property
    def too_big(self) -> list[SagaScope]:
        """The sagas that tie more teams together than the budget."""
        return [s for s in self.sagas if len(s.teams) > self.max_teams]

    @property
    def found(self) -> bool:
        return bool(self.too_big)

    @property
    def verdict(self) -> str:
        if not self.found:
            widest = max(self.sagas, key=lambda s: len(s.teams))
            return (f"bounded: the widest saga ('{widest.saga}') has {_plural(widest.steps, 'step')} "
                    f"and ties {_plural(len(widest.teams), 'team')} together (budget {self.max_teams})")
        s = max(self.too_big, key=lambda s: len(s.teams))
        tail = f"; {_plural(len(s.tail), 'step')} at its tail nothing undoes ({', '.join(s.tail)})" if s.tail else ""
        return (f"god orchestrator: saga '{s.saga}' has {_plural(s.steps, 'step')} and ties "
                f"{_plural(len(s.teams), 'team')} together (budget {self.max_teams}){tail}")


def _sagas_of(source: Any) -> list[SagaDefinition]:
    if isinstance(source, SagaDefinition):
        return [source]
    if hasattr(source, "definitions"):  # a scenario
        return list(source.definitions().get("sagas", []))
    if isinstance(source, Iterable) and not isinstance(source, (str, bytes)):
        sagas = list(source)
        if all(isinstance(s, SagaDefinition) for s in sagas):
            return sagas
    raise PlaygroundError(f"detect_god_orchestrator reads saga definitions: give it a SagaDefinition, a list of them "
                          f"or a scenario, not {type(source).__name__}.")


def _tail(saga: SagaDefinition) -> tuple[str, ...]:
    tail: list[str] = []
    for stage in reversed(saga.stages):
        if not isinstance(stage, Step) or stage.compensation:
            break
        tail.append(stage.name)
    return tuple(reversed(tail))


def detect_god_orchestrator(source: Any, *, teams: Mapping[str, str] | None = None,
                            max_teams: int = 4) -> OrchestratorScope:
    """Steps, services and teams per saga, from the definitions (a saga, a list of them, or a scenario).

    Args:
        teams: service → the team that owns it (default: every service is its own team).
        max_teams: how many teams one saga may tie together before it counts as a god orchestrator.

    >>> from playground.scenarios.god_orchestrator import order_saga
    >>> detect_god_orchestrator(order_saga(["confirm", "push", "report"])).found
    True
    """
    owners = dict(teams or {})
    found = []
    for saga in _sagas_of(source):
        size = saga_size(saga)  # its `teams` are the services it commands
        found.append(SagaScope(saga.name, size.steps, size.teams,
                               tuple(sorted({owners.get(s, s) for s in size.teams})), _tail(saga)))
    if not found:
        raise PlaygroundError("There is no saga to measure: this run is choreographed, so no orchestrator can grow.")
    return OrchestratorScope(tuple(found), max_teams)


# -- 2. chatty events and loops ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Chattiness(Finding):
    """What :func:`detect_chatty_events` found."""

    messages: dict[str, int]   # transaction → messages it put on the bus
    depth: dict[str, int]      # transaction → its longest causation chain
    loops: tuple[str, ...]
    max_messages: int
    max_depth: int

    @property
    def median_messages(self) -> float:
        return statistics.median(self.messages.values()) if self.messages else 0.0

    @property
    def most_messages(self) -> int:
        return max(self.messages.values(), default=0)

    @property
    def deepest(self) -> int:
        return max(self.depth.values(), default=0)

    @property
    def over_budget(self) -> list[str]:
        """Transactions over either budget, in the run's order."""
        return [t for t in self.messages
                if self.messages[t] > self.max_messages or self.depth.get(t, 0) > self.max_depth]

    @property
    def found(self) -> bool:
        return bool(self.loops or self.over_budget)

    @property
    def verdict(self) -> str:
        figures = (f"at most {_plural(self.most_messages, 'message')} and {self.deepest} causation hops "
                   "per transaction")
        if not self.found:
            return f"within budget: {figures}, no loop"
        parts = []
        if self.over_budget:
            parts.append(f"{len(self.over_budget):,} of {len(self.messages):,} transactions over budget "
                         f"({figures}; budget {self.max_messages} and {self.max_depth})")
        if self.loops:
            parts.append(f"a message loop: {self.loops[0]}")
        return "chatty: " + "; ".join(parts)


def detect_chatty_events(result: "Result", *, max_messages: int = 12, max_depth: int = 10) -> Chattiness:
    """Messages and causation depth per transaction, against budgets, and the run's message loops."""
    return Chattiness(messages_per_transaction(result), causation_depth(result), tuple(loops_in(result)),
                      max_messages, max_depth)


# -- 3. neglected observability ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LostStories(Finding):
    """What :func:`detect_lost_stories` found."""

    transactions: int
    untold: tuple[str, ...]             # transactions whose ending no message joined to them shows
    cold_after: dict[str, int]          # component whose handling is the last thing such a story shows → count
    orphans: int                        # messages that carry no correlation id
    orphans_from: dict[str, int]        # who sent them

    @property
    def found(self) -> bool:
        return bool(self.untold or self.orphans)

    @property
    def verdict(self) -> str:
        if not self.found:
            return f"every one of {_plural(self.transactions, 'transaction')} can be told end to end"
        senders = ", ".join(sorted(self.orphans_from))
        if not self.untold:
            return (f"every one of {_plural(self.transactions, 'transaction')} has its ending, but "
                    f"{_plural(self.orphans, 'message')} from {senders} carry no correlation id")
        where = ", ".join(f"{c} ({n})" for c, n in sorted(self.cold_after.items(), key=lambda kv: -kv[1]))
        cold = f": the trail goes cold after {where}" if where else ""
        return (f"lost stories: {len(self.untold):,} of {self.transactions:,} transactions cannot be told end to "
                f"end{cold}; {_plural(self.orphans, 'message')} carry no correlation id")


def detect_lost_stories(result: "Result") -> LostStories:
    """Which transactions' stories stop short of an ending, where, and how many messages belong to nobody.

    A story is lost when a transaction has no terminal event under its id and
    its last message was handled with nothing joined to it since — not merely
    waiting at an inbox (that story can be told: it is waiting there).
    """
    terminals = dict(result.terminals or {})
    ids = set(result.outcomes)
    last: dict[str, Any] = {}
    ended: set[str] = set()
    handled: dict[str, set[str]] = {}
    orphans: Counter = Counter()
    for e in result.trace.entries:
        if e.kind == "send":
            if e.correlation_id is None:
                orphans[e.at] += 1
            elif e.correlation_id in ids:
                last[e.correlation_id] = e
                if e.type in terminals:
                    ended.add(e.correlation_id)
        elif e.kind in ("end", "dead_letter") and e.message_id is not None:
            handled.setdefault(e.message_id, set()).add(e.at)
    untold, cold = [], Counter()
    for cid in result.outcomes:
        if cid in ended or cid not in last:
            continue
        e = last[cid]
        done = handled.get(e.message_id, set())
        waiting = [t for t in (e.detail or {}).get("to", ()) if t not in done]
        if done and not waiting:
            untold.append(cid)
            cold.update(sorted(done))
    return LostStories(len(result.outcomes), tuple(untold), dict(cold), sum(orphans.values()), dict(orphans))


# -- 4. data consistency ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaleRead:
    """A decision that read a copy disagreeing with the system of record at that moment."""

    time: float
    holder: str
    decision: str
    key: str
    used: Any
    record: Any
    wrong: bool | None   # would the decision differ on the record's value? None: the run gave no rule


@dataclass(frozen=True)
class CopyDrift(Finding):
    """What :func:`detect_stale_copies` found."""

    reads: int
    stale_reads: tuple[StaleRead, ...]
    stale_seconds: dict[str, float]             # holder → seconds its copies disagreed with the record, summed
    stale_at_end: tuple[tuple[str, str, Any, Any], ...]   # (holder, key, copy, record) still disagreeing

    @property
    def wrong(self) -> list[StaleRead]:
        """The stale reads whose decision would have gone the other way on the record's value."""
        return [r for r in self.stale_reads if r.wrong]

    @property
    def found(self) -> bool:
        return bool(self.stale_reads or self.stale_at_end)

    @property
    def verdict(self) -> str:
        if not self.found:
            return f"consistent: all {_plural(self.reads, 'decision')} read what the record held at the time"
        rule = (f" ({len(self.wrong):,} of them decided differently than the record would have)"
                if self.stale_reads and self.stale_reads[0].wrong is not None else "")
        seconds = sum(self.stale_seconds.values())
        return (f"stale copies: {len(self.stale_reads):,} of {_plural(self.reads, 'decision')} read a copy that "
                f"disagreed with the record{rule}; copies disagreed for {seconds:,.0f} s in all, "
                f"{_plural(len(self.stale_at_end), 'copy', 'copies')} still at the end")


def _data_notes(result: "Result") -> Iterable[Any]:
    return (e for e in result.trace.entries if e.kind == "data" and isinstance(e.detail, dict))


def detect_stale_copies(result: "Result", *, decide: Callable[[Mapping[str, Any], Any], Any] | None = None
                        ) -> CopyDrift:
    """Copies that disagree with their system of record, for how long, and the decisions that read them.

    Reads the run's ``data`` notes (``Service.note_data``): ``record`` (the
    system of record changed a value), ``copy`` (a holder's copy changed) and
    ``read`` (a decision used a value). ``decide(read, value)`` recomputes a
    decision with another value, to tell which stale reads changed a decision;
    by default the run's own rule (``result.extras["decide"]``) when it has one.
    """
    decide = decide if decide is not None else result.extras.get("decide")
    record: dict[str, Any] = {}
    copies: dict[tuple[str, str], Any] = {}
    since: dict[tuple[str, str], float] = {}   # (holder, key) → when its copy began to disagree
    stale_seconds: Counter = Counter()
    reads, stale = 0, []

    def settle(pair: tuple[str, str], now: float) -> None:
        disagrees = pair in copies and copies[pair] != record.get(pair[1])
        if disagrees and pair not in since:
            since[pair] = now
        elif not disagrees and pair in since:
            stale_seconds[pair[0]] += now - since.pop(pair)

    for e in _data_notes(result):
        role, key, value = e.detail.get("role"), e.detail.get("key"), e.detail.get("value")
        if role == "record":
            record[key] = value
            for pair in [p for p in copies if p[1] == key]:
                settle(pair, e.time)
        elif role == "copy":
            copies[(e.at, key)] = value
            settle((e.at, key), e.time)
        elif role == "read":
            reads += 1
            if key in record and value != record[key]:
                wrong = None if decide is None else decide(e.detail, record[key]) != e.detail.get("outcome")
                stale.append(StaleRead(e.time, e.at, str(e.detail.get("decision")), key, value, record[key], wrong))
    for pair, start in since.items():
        stale_seconds[pair[0]] += result.finished_at - start
    holders = {holder for holder, _ in copies}
    at_end = tuple((h, k, v, record.get(k)) for (h, k), v in sorted(copies.items()) if v != record.get(k))
    return CopyDrift(reads, tuple(stale), {h: stale_seconds.get(h, 0.0) for h in sorted(holders)}, at_end)


def value_history(result: "Result", key: str) -> dict[str, list[tuple[float, Any]]]:
    """How one value changed over the run: ``"record"`` and each holder → [(time, value), ...] in order."""
    history: dict[str, list[tuple[float, Any]]] = {"record": []}
    for e in _data_notes(result):
        if e.detail.get("key") != key or e.detail.get("role") not in ("record", "copy"):
            continue
        history.setdefault("record" if e.detail["role"] == "record" else e.at, []).append((e.time, e.detail["value"]))
    if not history["record"]:
        raise PlaygroundError(f"No system of record in this run holds {key!r}; check the key (e.g. 'customer-01').")
    return history


__all__ = ["Chattiness", "CopyDrift", "LostStories", "OrchestratorScope", "SagaScope", "StaleRead",
           "detect_chatty_events", "detect_god_orchestrator", "detect_lost_stories", "detect_stale_copies",
           "value_history"]
