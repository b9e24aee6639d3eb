"""Message contracts: every command and event type, declared once.

Both wirings, Kafka topic names, the event-flow graph and the course's
reference tables derive from these declarations, so a contract cannot drift
between the places that use it.

>>> spec = MessageSpec("OrderPlaced", "event", "orders",
...                    {"order_id": str, "amount": float}, "A customer placed an order.")
>>> spec.problem_with({"order_id": "order-0001", "amount": "lots"})
"field 'amount' should be a number, not str ('lots')"
>>> spec.problem_with({"order_id": "order-0001", "amount": 12.5}) is None
True

Numbers must be finite, and money cannot be negative (a refund is its own message):

>>> spec.problem_with({"order_id": "order-0001", "amount": float("nan")})
"field 'amount' should be a finite number, not nan"
>>> spec.problem_with({"order_id": "order-0001", "amount": -5})
"field 'amount' should not be negative (-5)"
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal

from playground.errors import PlaygroundError

#: Fields holding money: never negative (JSON lets a producer send -5 or NaN; no service may charge them).
MONEY = frozenset({"amount"})

_TYPE_NAMES = {str: "text", float: "a number", int: "a whole number", bool: "true/false", list: "a list"}


@dataclass(frozen=True)
class MessageSpec:
    """The contract for one message type."""

    name: str
    kind: Literal["command", "event"]
    owner: str
    fields: dict[str, type]
    meaning: str
    version: int = 1
    optional: frozenset[str] = field(default_factory=frozenset)
    #: (field, the exact value types that pass at once) — the fast path of :meth:`Catalog.contract_problem`.
    _exact: tuple = field(init=False, repr=False, compare=False)
    #: (field, exact types, whether a float must be finite, whether it is money) — the fast path of
    #: :meth:`problem_with`, which is stricter than ``_exact``; None when some field needs the full check.
    _sound: tuple | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exact = tuple((name, _EXACT.get(kind, (kind,)) + ((_Missing,) if name in self.optional else ()))
                      for name, kind in self.fields.items())
        object.__setattr__(self, "_exact", exact)
        numbers = all(kind in (float, int) for name, kind in self.fields.items() if name in MONEY)
        sound = tuple((name, types, self.fields[name] is float, name in MONEY) for name, types in exact)
        object.__setattr__(self, "_sound", sound if numbers else None)

    def problem_with(self, payload: Any) -> str | None:
        """Why ``payload`` breaks this contract, in one phrase, or None if it is fine."""
        if type(payload) is dict and self._sound is not None:
            # Values of the exact declared types, finite and not negative where that matters, pass at
            # once; anything else (including a subclass of a declared type) takes the check below.
            get = payload.get
            for name, types, finite, money in self._sound:
                value = get(name, _MISSING)
                if type(value) not in types:
                    break
                if finite and type(value) is float and not math.isfinite(value):
                    break
                if money and value is not _MISSING and value < 0:
                    break
            else:
                return None
        if not isinstance(payload, dict):
            return f"payload should be a mapping of fields, not {type(payload).__name__}"
        for name, kind in self.fields.items():
            if name not in payload:
                if name in self.optional:
                    continue
                return f"field '{name}' is missing"
            value = payload[name]
            if not _is_a(value, kind):
                return f"field '{name}' should be {_TYPE_NAMES.get(kind, kind.__name__)}, not {type(value).__name__} ({value!r})"
            if kind is float and not math.isfinite(value):
                return f"field '{name}' should be a finite number, not {value!r}"
            if name in MONEY and value < 0:
                return f"field '{name}' should not be negative ({value!r})"
        return None


class _Missing:
    """What a payload holds for a field it lacks, on the fast path (never a real value's type)."""


_MISSING = _Missing()
#: Value types accepted without a closer look; subclasses and the rest go to problem_with.
_EXACT = {float: (float, int), int: (int,), str: (str,), bool: (bool,), list: (list,)}


def _is_a(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


class UnknownMessageType(PlaygroundError, KeyError):
    """A message type that no catalog entry declares."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class Catalog:
    """All message specs by name; later declarations of the same name are refused."""

    def __init__(self, specs: Iterable[MessageSpec] = ()):
        self._specs: dict[str, MessageSpec] = {}
        self.declare(*specs)

    def declare(self, *specs: MessageSpec) -> None:
        for spec in specs:
            if spec.name in self._specs and self._specs[spec.name] != spec:
                raise PlaygroundError(f"Message type '{spec.name}' is declared twice with different contracts; keep one.")
            self._specs[spec.name] = spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> MessageSpec:
        try:
            return self._specs[name]
        except KeyError:
            close = self.closest(name)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise UnknownMessageType(f"No message type called '{name}' is declared in the catalog{hint}; "
                                     "check the spelling or declare it.") from None

    def closest(self, name: object, among: Iterable[str] | None = None) -> str | None:
        """The declared name (or the one in ``among``) that ``name`` most likely misspells, if any."""
        if not isinstance(name, str):
            return None
        found = difflib.get_close_matches(name, list(self._specs if among is None else among), n=1, cutoff=0.75)
        return found[0] if found else None

    def contract_problem(self, name: str, payload: Any) -> str | None:
        """Why ``payload`` breaks the contract of message type ``name`` (None if it keeps it, or the type is unknown).

        Runs for every message a service publishes: exact value types pass with one
        ``type()`` and one tuple test per field; anything else gets the full check.
        """
        spec = self._specs.get(name)
        if spec is None:
            return None
        if type(payload) is dict:
            get = payload.get
            for field_name, types in spec._exact:
                if type(get(field_name, _MISSING)) not in types:
                    break
            else:
                return None
        return spec.problem_with(payload)

    def __iter__(self):
        return iter(self._specs.values())

    def owned_by(self, owner: str) -> list[MessageSpec]:
        return [s for s in self._specs.values() if s.owner == owner]

    def table(self) -> list[dict[str, Any]]:
        """Rows for a reference table: name, kind, owner, fields, version, meaning."""
        return [
            {"name": s.name, "kind": s.kind, "owner": s.owner,
             "fields": ", ".join(f"{n}: {_TYPE_NAMES.get(t, t.__name__)}" for n, t in s.fields.items()),
             "version": s.version, "meaning": s.meaning}
            for s in self._specs.values()
        ]
