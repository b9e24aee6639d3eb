"""The real cause of a run that went wrong, in the learner's terms: dead letters quoted, handler errors placed.

A learner's mistake rarely shows where a check looks. A misspelled command in
a reaction table, an event that lacks a field the command needs, an event
published without a field its contract requires: each turns into dead
letters, and the check that counts points or refunds then sees *nothing* and
blames the wrong thing. So a check asks :func:`verdict_on_run` first: it
fails with the dead letters the exercise did not expect (their reason
quoted), then with the first exception the learner's handlers raised (which
command, for which message, and — when the learner wrote the reaction table —
which event ran it).

>>> from playground.transport.bus import DeadLetter
>>> from playground.runtime.envelope import Envelope
>>> letter = DeadLetter(Envelope("ConfirmationSent", {"order_id": "order-0003"}, "m000042", "order-0003",
...                              "m000041", 1, 3.2, "email"),
...                     "ConfirmationSent from email breaks its contract: field 'customer' is missing", "email")
>>> print(dead_letter_sentence([letter, letter]))
2 messages were dead-lettered instead of delivered, the first at email for order-0003: “ConfirmationSent from email breaks its contract: field 'customer' is missing”
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from playground.errors import PlaygroundError
from playground.grading.checks import Failed
from playground.grading.learner import explain

#: How the bus words the dead letter of code that raised on a message (a service's handler, a hand-written
#: agent, a machine's callback): "the payments service failed on ChargePayment: ...".
_HANDLER_FAILED = " failed on "
def parked_by_orchestrator(letter: Any) -> bool:
    """Whether an orchestrator parked this message: a late or repeated reply, an event it has no use for.

    Expected in orchestrated exercises under faults (pass it as ``expected=`` to
    :func:`verdict_on_run`); what a learner gets wrong shows elsewhere — a wrong
    reply leaves its instance stuck, which the exercise's own check reports.
    """
    return letter.at == "orchestrator"


def dead_letter_sentence(letters: list[Any]) -> str:
    """One sentence about dead letters: how many, where the first one was parked, and its reason quoted."""
    first = letters[0]
    many = f"{len(letters)} messages were" if len(letters) > 1 else "A message was"
    about = f" for {first.envelope.correlation_id}" if first.envelope.correlation_id else ""
    return f"{many} dead-lettered instead of delivered, the first at {first.at}{about}: “{first.reason.rstrip('.')}”"


def _advice(letter: Any, service: str | None, table: str | None, yours: str) -> str:
    reason = letter.reason
    if "did you mean" in reason:
        return "fix the spelling"
    if "breaks its contract" in reason and letter.at == service:
        return (f"every {letter.envelope.type} {yours} publishes must carry the fields its contract declares "
                "(look it up in the catalog)")
    if table and (service is None or letter.at == service) and ("does not handle" in reason
                                                                 or " lacks field " in reason):
        return f"check which event runs which command in `{table}`: the command needs fields the event carries"
    return "find what sent it and make it fit the contract"


def verdict_on_run(result: Any, *, service: str | None = None, probe: Any = None, table: str | None = None,
                   expected: Callable[[Any], bool] | None = None, yours: str = "your service",
                   where: str | None = None) -> None:
    """Raise :class:`Failed` naming the real cause if the run dead-lettered what it should not have.

    Args:
        result: the run's :class:`~playground.runtime.result.Result` (anything with ``dead_letters``).
        service: the name of the learner's service, if they wrote one.
        probe: the :func:`~playground.grading.learner.watched` class the run used, if any: its first
            exception is reported with the command and message it was handling.
        table: the name of the learner's reaction table, to point at when it maps an event wrongly.
        expected: dead letters this exercise expects (e.g. late replies the orchestrator parks).
        yours: what the learner wrote, as feedback names it ("your agent", "your machine").
        where: what the run was, to open the sentence with ("With your saga (seed 41, ...)").
    """
    try:
        _verdict(result, service, probe, table, expected, yours)
    except Failed as failed:
        if where is None:
            raise
        said = str(failed)
        raise Failed(f"{where}, {said[:1].lower()}{said[1:]}") from None


def _verdict(result: Any, service: str | None, probe: Any, table: str | None,
             expected: Callable[[Any], bool] | None, yours: str) -> None:
    letters = [d for d in result.dead_letters if not (expected and expected(d))]
    crashed = [d for d in letters if _HANDLER_FAILED in d.reason]
    others = [d for d in letters if _HANDLER_FAILED not in d.reason]
    mine = [d for d in others if d.at == service or d.envelope.sender == service]
    if mine or others:
        chosen = mine or others
        raise Failed(f"{dead_letter_sentence(chosen)}; {_advice(chosen[0], service, table, yours)}")
    if probe is not None and probe.first_error is not None:
        raise Failed(handler_error_sentence(probe, table))
    if crashed:
        raise Failed(f"{dead_letter_sentence(crashed)}; the code handling it raised that exception")


def handler_error_sentence(probe: Any, table: str | None = None, reactions: Mapping[str, str] | None = None) -> str:
    """The first exception a watched service raised, with the command, the message's key and the event that ran it."""
    command, payload = probe.first_call
    key = next((v for k, v in payload.items() if k.endswith("_id")), None)
    reactions = reactions if reactions is not None else getattr(probe, "reactions", None) or {}
    events = sorted(e for e, c in reactions.items() if c == command)
    ran_by = f", which `{table}` runs on {' and '.join(events)}" if events and table else ""
    for_key = f" for {key}" if key else ""
    error = probe.first_error
    # The playground's own refusals (a bare emit() returned, say) already speak to the learner.
    said = str(error).rstrip(".") if isinstance(error, PlaygroundError) else explain(error)
    return f"{said} while handling {command}{for_key}{ran_by}"
