"""Fault rules: which messages or calls a fault hits, and how often.

A rule picks by message type and/or inbox (None means any), then fires on
the ``nth`` match(es), on a seeded ``fraction`` of matches, or on every
match; ``limit`` caps how many times it fires. Counting starts afresh in
every run.

>>> Drop(type="PaymentReceived", inbox="invoices", nth=2)
Drop(type='PaymentReceived', inbox='invoices', nth=(2,))
>>> Delay(seconds=5, fraction=0.1).matches("OrderPlaced", "invoices")
True
"""

from __future__ import annotations

from typing import Any, Iterable, Union

from playground.errors import ScenarioError
from playground.runtime.checks import is_number, is_whole


def _nth(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    values = (value,) if isinstance(value, int) else tuple(value) if isinstance(value, Iterable) else (value,)
    if not values or any(not is_whole(v) or v < 1 for v in values):
        raise ScenarioError(f"nth must be a whole number of at least 1 (or several), not {value!r}.")
    return values


class Rule:
    """What every rule shares: the selection by type/inbox and how often it fires."""

    fault = "rule"
    _extra: tuple[str, ...] = ()

    def __init__(self, *, type: str | None = None, inbox: str | None = None, nth: Any = None,
                 fraction: float | None = None, count: int | None = None, limit: int | None = None):
        self.type, self.inbox = type, inbox
        self.nth = _nth(nth)
        if count is not None:
            if not is_whole(count) or count < 1:
                raise ScenarioError(f"count must be a whole number of at least 1, not {count!r}.")
            if self.nth is not None:
                raise ScenarioError("Give a fault rule nth= or count=, not both.")
            self.nth = tuple(range(1, count + 1))  # the first ``count`` matches
        if fraction is not None:
            if not is_number(fraction) or not 0 <= fraction <= 1:
                raise ScenarioError(f"fraction must be between 0 and 1, not {fraction!r}.")
            if self.nth is not None:
                raise ScenarioError("Give a fault rule nth=/count= or fraction=, not both.")
        self.fraction = fraction
        if limit is not None and (not is_whole(limit) or limit < 0):
            raise ScenarioError(f"limit must be a whole number of at least 0, not {limit!r}.")
        self.limit = limit

    def matches(self, type_: str, inbox: str) -> bool:
        return (self.type is None or self.type == type_) and (self.inbox is None or self.inbox == inbox)

    def __repr__(self) -> str:
        fields = [(n, getattr(self, n)) for n in (*self._extra, "type", "inbox", "nth", "fraction", "limit")]
        shown = ", ".join(f"{n}={v!r}" for n, v in fields if v is not None and not (n == "copies" and v == 1))
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]


class Drop(Rule):
    """The bus loses the message on its way to the inbox: it never arrives there."""

    fault = "drop"


class Duplicate(Rule):
    """The message arrives ``copies`` extra times (at-least-once delivery taken literally)."""

    fault = "duplicate"
    _extra = ("copies",)

    def __init__(self, *, copies: int = 1, **select: Any):
        super().__init__(**select)
        if not is_whole(copies) or copies < 1:
            raise ScenarioError(f"copies must be a whole number of at least 1, not {copies!r}.")
        self.copies = copies


class Delay(Rule):
    """The message arrives ``seconds`` later than it would have."""

    fault = "delay"
    _extra = ("seconds",)

    def __init__(self, *, seconds: float, **select: Any):
        super().__init__(**select)
        if not is_number(seconds) or seconds <= 0:
            raise ScenarioError(f"seconds must be a number greater than 0, not {seconds!r}.")
        self.seconds = float(seconds)


class Reorder(Rule):
    """The message is held back and arrives right after the next message to the same inbox.

    If nothing else reaches that inbox within ``within`` seconds it is let go then.
    """

    fault = "reorder"
    _extra = ("within",)

    def __init__(self, *, within: float = 1.0, **select: Any):
        super().__init__(**select)
        if not is_number(within) or within <= 0:
            raise ScenarioError(f"within must be a number of seconds greater than 0, not {within!r}.")
        self.within = float(within)


class FailCalls(Rule):
    """Calls to ``component`` raise a transient error and are not acknowledged, so they come back.

    With ``after_work=True`` the failure strikes after the service did its work
    but before it acknowledged the message: the effect stands, the events it
    would have sent are lost, and the redelivered message makes a service that
    is not idempotent do its effect twice.

    ``type=`` picks by the message that arrived, which differs between
    wirings (the command ``ChargePayment`` when orchestrated, the event
    ``InvoiceCreated`` when choreographed); ``command=`` picks by the command
    the service runs, so one rule hits both wirings the same way.

    >>> FailCalls("payments", nth=3)
    FailCalls(component='payments', nth=(3,))
    >>> FailCalls("payments", command="ChargePayment", nth=1).runs("ChargePayment")
    True
    """

    fault = "fail"
    _extra = ("component", "command")

    def __init__(self, component: str, *, command: str | None = None, after_work: bool = False, **select: Any):
        if "inbox" in select:
            raise ScenarioError("FailCalls picks its calls by component and type; it takes no inbox=.")
        super().__init__(**select)
        self.component = component
        self.command = command
        self.after_work = bool(after_work)

    def runs(self, command: str) -> bool:
        """Whether a call that runs ``command`` is one this rule picks."""
        return self.command is None or self.command == command

    def __repr__(self) -> str:
        text = super().__repr__()
        return text[:-1] + ", after_work=True)" if self.after_work else text


MessageRule = Union[Drop, Duplicate, Delay, Reorder]
