"""Invariants: the promises a run must keep, checked from its trace alone.

Each check reads only ``result.trace`` (and ``result.outcomes`` for the list
of business transactions), so it judges the orchestrated and the
choreographed wiring by the same evidence. A broken promise comes back as a
:class:`Violation` naming the order and the trace entries that prove it.

>>> from playground.scenarios import order_flow
>>> result = order_flow(orders=5, seed=1).run()
>>> {name: len(found) for name, found in check(result).items()}
{'one-terminal-state': 0, 'paid-without-invoice': 0, 'effects-at-most-once': 0, 'compensations-mirror-forward-steps': 0, 'money-conserved': 0}
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from playground.errors import PlaygroundError

from playground.runtime.trace import TraceEntry

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Amounts are floats; differences smaller than this are rounding, not money.
CENT = 0.005


@dataclass(frozen=True)
class Violation:
    """One broken promise: which invariant, which transaction, what to do, and the proof."""

    invariant: str             # e.g. "paid-without-invoice"
    correlation_id: str        # the order / instance it concerns
    message: str               # one sentence a learner can act on
    evidence: tuple[int, ...]  # trace seq numbers proving it

    def __str__(self) -> str:
        return f"[{self.invariant}] {self.message}"


class _Index:
    """What the built-in invariants read from a trace, gathered in one pass over it.

    :func:`check` builds one for all the invariants it runs; each invariant
    called alone builds its own. Lists keep trace order.
    """

    def __init__(self, result: "Result"):
        terminals = _terminals(result)
        self.ends: dict[str | None, list] = defaultdict(list)    # correlation id → its terminal sends
        self.parked: dict[str | None, list[int]] = defaultdict(list)  # correlation id → its dead letters' seqs
        self.money: dict[str, list] = defaultdict(list)          # charge and refund effects per key
        self.invoices: dict[str, list] = defaultdict(list)       # invoices' state changes per instance
        self.effects: dict[tuple, list] = defaultdict(list)      # effects per (at, effect, key)
        self.sagas: dict[str, list] = defaultdict(list)          # step and compensate entries per instance
        self.undone: set[str] = set()                             # steps the run undid somewhere
        self._raw = raw = result.trace.raw()
        ends, parked = self.ends, self.parked
        # The raw rows, not trace.entries: only the few entries an invariant keeps become TraceEntry objects.
        for seq, row in enumerate(raw):
            kind = row[1]
            if kind == "send":
                if row[3] in terminals:
                    ends[row[5]].append(TraceEntry(seq, *row))
            elif kind == "effect":
                detail = row[7]
                if isinstance(detail, dict):
                    e = TraceEntry(seq, *row)
                    effect = detail.get("effect")
                    self.effects[(row[2], effect, detail.get("key"))].append(e)
                    if effect == "charge" or effect == "refund":
                        self.money[detail["key"]].append(e)
            elif kind == "state":
                if row[2] == "invoices" and isinstance(row[7], dict):
                    self.invoices[row[7]["instance"]].append(TraceEntry(seq, *row))
            elif kind == "dead_letter":
                parked[row[5]].append(seq)
            elif kind == "step" or kind == "compensate":
                detail = row[7]
                if isinstance(detail, dict):
                    self.sagas[detail["instance"]].append(TraceEntry(seq, *row))
                    if kind == "compensate" or detail.get("outcome") == "compensated":
                        self.undone.add(detail["step"])

    def last(self, cids: Iterable[str | None]) -> dict[str | None, "TraceEntry"]:
        """The last entry of each of these correlation ids that has one (read backwards, when asked)."""
        wanted, found, raw = set(cids), {}, self._raw
        for seq in range(len(raw) - 1, -1, -1):
            if not wanted:
                break
            cid = raw[seq][5]
            if cid in wanted:
                wanted.discard(cid)
                found[cid] = TraceEntry(seq, *raw[seq])
        return found


def _terminals(result: "Result") -> dict[str, str]:
    return dict(getattr(result, "terminals", None) or result.extras.get("terminals") or {})


def _describe(e: "TraceEntry") -> str:
    what = f"{e.kind} of {e.type}" if e.type else e.kind
    return f"{what} at {e.at} ({e.time:.2f} s, entry {e.seq})"


# -- exactly one terminal state ------------------------------------------------
def one_terminal_state(result: "Result") -> list[Violation]:
    """Every transaction ends exactly once: one terminal state (completed *or* cancelled), never none, never two.

    A terminal event announced again (the same state, e.g. a redelivered command answered twice) is one end.
    """
    return _one_terminal_state(result, None)


def _one_terminal_state(result: "Result", index: _Index | None) -> list[Violation]:
    terminals = _terminals(result)
    if not terminals:
        raise PlaygroundError("This result does not say which events end a transaction; "
                              "run it through a scenario, or set result.terminals.")
    index = index or _Index(result)
    names = " or ".join(sorted(set(terminals.values())))
    found = []
    lasts = index.last(cid for cid in result.outcomes if not index.ends.get(cid))
    for cid in result.outcomes:
        ends = index.ends.get(cid)
        if not ends:
            last = lasts.get(cid)
            if last is not None:
                message = (f"{cid} never reached a terminal state ({names}); its last trace entry is the "
                           f"{_describe(last)}, so follow the message that stopped there.")
                evidence = tuple(sorted({*index.parked.get(cid, ()), last.seq}))
            else:
                message = f"{cid} never reached a terminal state ({names}) and left no trace at all; check that it was sent."
                evidence = ()
            found.append(Violation("one-terminal-state", cid, message, evidence))
        elif len({e.type for e in ends}) > 1:
            # Two different ends (completed *and* cancelled). The same end announced again is a repeat that
            # at-least-once delivery allows (a receiver answering a redelivered command), not a second end.
            how = ", ".join(f"{terminals[e.type]} at {e.time:.2f} s" for e in ends)
            found.append(Violation(
                "one-terminal-state", cid,
                f"{cid} ended {len(ends)} times ({how}); make sure only one path can finish a transaction.",
                tuple(e.seq for e in ends)))
    return found


# -- money and invoices --------------------------------------------------------
def _amount(e: "TraceEntry") -> float:
    return float(e.detail.get("amount", 0.0))


def _net(entries: Iterable["TraceEntry"]) -> float:
    return sum(_amount(e) if e.detail["effect"] == "charge" else -_amount(e) for e in entries)


def _invoice_state(states: list["TraceEntry"]) -> str | None:
    return states[-1].detail["to"] if states else None


def paid_without_invoice(result: "Result") -> list[Violation]:
    """Money kept for an order (charges minus refunds) always backs an invoice whose last state is 'paid'."""
    return _paid_without_invoice(result, None)


def _paid_without_invoice(result: "Result", index: _Index | None) -> list[Violation]:
    index = index or _Index(result)
    invoices = index.invoices
    found = []
    for key, entries in index.money.items():
        net = _net(entries)
        states = invoices.get(key, [])
        state = _invoice_state(states)
        if net > CENT and state != "paid":
            why = "no invoice was ever created for it" if state is None else f"its invoice ended '{state}'"
            found.append(Violation(
                "paid-without-invoice", key,
                f"{key} kept {net:.2f} of the customer's money but {why}; refund the charge or settle the invoice.",
                tuple(e.seq for e in (*entries, *states[-1:]))))
    return found


def money_conserved(result: "Result") -> list[Violation]:
    """Per order: refunds never exceed charges, and money kept backs one paid invoice or is refunded."""
    return _money_conserved(result, None)


def _money_conserved(result: "Result", index: _Index | None) -> list[Violation]:
    index = index or _Index(result)
    invoices = index.invoices
    found = []
    for key, entries in index.money.items():
        charged = refunded = 0.0
        for e in entries:
            if e.detail["effect"] == "charge":
                charged += _amount(e)
            else:
                refunded += _amount(e)
            if refunded > charged + CENT:
                found.append(Violation(
                    "money-conserved", key,
                    f"{key} was refunded {refunded:.2f} when only {charged:.2f} had been charged "
                    f"(entry {e.seq}); refund only what was taken.",
                    tuple(x.seq for x in entries if x.seq <= e.seq)))
                break
        net = charged - refunded
        if net <= CENT:
            continue
        states = invoices.get(key, [])
        state = _invoice_state(states)
        # One invoice accounts for one charge; anything above the largest single charge was taken twice.
        largest = max(_amount(e) for e in entries if e.detail["effect"] == "charge")
        if state != "paid":
            found.append(Violation(
                "money-conserved", key,
                f"{key} kept {net:.2f} that backs no paid invoice (invoice state: {state or 'none'}); "
                "refund it or settle the invoice.",
                tuple(e.seq for e in (*entries, *states[-1:]))))
        elif net > largest + CENT:
            found.append(Violation(
                "money-conserved", key,
                f"{key} kept {net:.2f} but its one paid invoice accounts for {largest:.2f}; "
                "refund the extra charge and make charging idempotent.",
                tuple(e.seq for e in (*entries, states[-1]))))
    return found


# -- effects ---------------------------------------------------------------------
def effects_at_most_once(result: "Result") -> list[Violation]:
    """Each effect (charge, refund, shipment, email...) happens at most once per idempotency key."""
    return _effects_at_most_once(result, None)


def _effects_at_most_once(result: "Result", index: _Index | None) -> list[Violation]:
    found = []
    for (at, effect, key), entries in (index or _Index(result)).effects.items():
        if len(entries) > 1:
            cid = entries[0].correlation_id or str(key)
            times = ", ".join(f"{e.time:.2f} s" for e in entries)
            found.append(Violation(
                "effects-at-most-once", cid,
                f"{at} did '{effect}' for key '{key}' {len(entries)} times (at {times}); "
                f"make {at} remember the keys it has handled so a repeated message changes nothing.",
                tuple(e.seq for e in entries)))
    return found


# -- compensations -----------------------------------------------------------------
def _compensable(result: "Result", given: Iterable[str] | None, index: _Index) -> set[str]:
    if given is not None:
        return set(given)
    if result.extras.get("compensable") is not None:
        return set(result.extras["compensable"])
    # Without the saga's definition, a step counts as undoable if the run undid it anywhere.
    return set(index.undone)


def compensations_mirror_forward_steps(result: "Result", compensable: Iterable[str] | None = None) -> list[Violation]:
    """When a saga rolls back, it undoes exactly its completed undoable steps, newest first, once each.

    Args:
        compensable: names of steps that have a compensation; by default
            ``result.extras["compensable"]``, else every step the run undid somewhere.
    """
    return _compensations_mirror_forward_steps(result, None, compensable)


def _compensations_mirror_forward_steps(result: "Result", index: _Index | None,
                                        compensable: Iterable[str] | None = None) -> list[Violation]:
    index = index or _Index(result)
    undoable = _compensable(result, compensable, index)
    found = []
    for instance, entries in index.sagas.items():
        steps = [e for e in entries if e.kind == "step"]
        undos = [e for e in entries if e.kind == "compensate"]
        failed = bool(steps) and steps[-1].detail.get("outcome") == "failed"
        if not undos and not failed:
            continue
        done: dict[str, Any] = {}
        for e in steps:
            if e.detail.get("outcome") == "done" and e.detail["step"] not in done:
                done[e.detail["step"]] = e
        expected = [s for s in reversed(done) if s in undoable]
        actual = [e.detail["step"] for e in undos]
        # A step whose reply came after the rollback began can only be undone once it completes:
        # it must be undone (once), but the newest-first order binds the steps done before.
        began = undos[0].seq if undos else None
        on_time = [s for s in expected if began is None or done[s].seq < began]
        cid = (entries[0].correlation_id or instance)

        def flag(message: str, evidence: Iterable[int]) -> None:
            found.append(Violation("compensations-mirror-forward-steps", cid, message, tuple(sorted(set(evidence)))))

        for step in dict.fromkeys(actual):
            times = [e for e in undos if e.detail["step"] == step]
            if len(times) > 1:
                flag(f"{instance} undid step '{step}' {len(times)} times; undo each completed step once.",
                     [e.seq for e in times])
            if step not in done:
                flag(f"{instance} undid step '{step}', which never completed; undo only completed steps.",
                     [e.seq for e in times])
        missing = [s for s in expected if s not in actual]
        if missing:
            flag(f"{instance} rolled back without undoing completed step(s) {', '.join(map(repr, missing))}; "
                 "add their compensations.",
                 [done[s].seq for s in missing] + [e.seq for e in steps[-1:]] + [e.seq for e in undos])
        ordered = [s for s in dict.fromkeys(actual) if s in on_time]
        if not missing and ordered != on_time:
            flag(f"{instance} undid its steps in the order {', '.join(ordered)} but they completed as "
                 f"{', '.join(reversed(on_time))}; undo the newest step first.",
                 [done[s].seq for s in on_time] + [e.seq for e in undos])
    return found


#: Every invariant by name, in the order reports list them.
INVARIANTS: dict[str, Callable[["Result"], list[Violation]]] = {
    "one-terminal-state": one_terminal_state,
    "paid-without-invoice": paid_without_invoice,
    "effects-at-most-once": effects_at_most_once,
    "compensations-mirror-forward-steps": compensations_mirror_forward_steps,
    "money-conserved": money_conserved,
}

#: The built-in invariants' versions that read an index built once for all of them.
_ON_INDEX: dict[Callable, Callable[["Result", _Index], list[Violation]]] = {
    one_terminal_state: _one_terminal_state,
    paid_without_invoice: _paid_without_invoice,
    effects_at_most_once: _effects_at_most_once,
    compensations_mirror_forward_steps: _compensations_mirror_forward_steps,
    money_conserved: _money_conserved,
}


def check(result: "Result", *names: str,
          invariants: Iterable[Callable[["Result"], Iterable[Violation]]] = ()) -> dict[str, list[Violation]]:
    """Run the named invariants (all by default) and your own, and return each one's violations.

    Args:
        names: built-in invariants to run; none given runs them all.
        invariants: your own checks, each a function ``fn(result)`` returning
            violations (:class:`Violation` objects; plain strings are wrapped).
            Each is reported under its function's name, dashed.

    >>> from playground.scenarios import order_flow
    >>> def every_order_checked(result):
    ...     return [f"{order} has no outcome" for order, end in result.outcomes.items() if end == "unfinished"]
    >>> print(check(order_flow(orders=3, seed=1).run(), invariants=[every_order_checked])["every-order-checked"])
    []
    """
    own = list(invariants)
    chosen = [n.replace("_", "-") for n in names] or list(INVARIANTS)
    for name in chosen:
        if name not in INVARIANTS:
            raise PlaygroundError(f"There is no invariant called {name!r}; choose from {', '.join(INVARIANTS)}.")
    index: _Index | None = None
    found = {}
    for name in chosen:
        fn = INVARIANTS[name]
        if fn in _ON_INDEX:
            if index is None:
                index = _Index(result)  # one pass over the trace for every built-in invariant
            found[name] = _ON_INDEX[fn](result, index)
        else:
            found[name] = fn(result)
    for fn in own:
        if not callable(fn):
            raise PlaygroundError(f"invariants= takes functions fn(result) returning violations, not {fn!r}.")
        name = getattr(fn, "__name__", type(fn).__name__).replace("_", "-")
        violations = fn(result)
        if violations is None or isinstance(violations, (str, Violation)):
            raise PlaygroundError(f"The invariant {name} returned {violations!r}; return a list of violations "
                                  "([] when it holds).")
        found[name] = [v if isinstance(v, Violation) else Violation(name, "", str(v), ()) for v in violations]
    return found
