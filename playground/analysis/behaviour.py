"""What a set of components did in a run, in a form two runs can be compared by.

"No producer changed" is a claim about behaviour as much as about code: every
producer handled the same messages at the same moments and sent the same
messages, whether or not a newcomer was listening. :func:`behaviour` lists
exactly that — time, kind, component, message type and transaction of every
send, start, end, effect and state change — leaving out what a newcomer
legitimately changes: message ids (a shared counter) and the routing list
of a send (the newcomer is now on it).

>>> from playground.scenarios import order_flow
>>> a = order_flow(orders=5, seed=2).run()
>>> b = order_flow(orders=5, seed=2).run()
>>> difference(a, b, ["orders", "payments"]) is None
True
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

#: Entry kinds that describe what a component did (not what was done to its messages on the way).
DOING = ("send", "start", "end", "effect", "state")


def behaviour(result: "Result", components: Iterable[str]) -> list[tuple]:
    """(time, kind, component, message type, correlation id) for everything ``components`` did, in order."""
    names = set(components)
    return [(round(e.time, 9), e.kind, e.at, e.type, e.correlation_id)
            for e in result.trace.entries if e.at in names and e.kind in DOING]


def fingerprint(result: "Result", components: Iterable[str]) -> str:
    """A short hash of :func:`behaviour`: equal fingerprints, identical behaviour."""
    text = "\n".join(map(repr, behaviour(result, components)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def difference(a: "Result", b: "Result", components: Iterable[str]) -> tuple | None:
    """The first thing ``components`` did differently in run ``b`` than in run ``a`` as ``(in a, in b)``, or None."""
    names = list(components)
    left, right = behaviour(a, names), behaviour(b, names)
    for x, y in zip(left, right):
        if x != y:
            return x, y
    if len(left) != len(right):
        longer = left if len(left) > len(right) else right
        extra = longer[min(len(left), len(right))]
        return (extra, None) if longer is left else (None, extra)
    return None
