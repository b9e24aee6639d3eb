"""Onboarding's own promise: nobody is welcomed to an account that is closed.

The welcome email cannot be taken back. If the process gives up on a user
and closes their account while the welcome is still on its way, the user
gets a cheerful email about an account that no longer exists. Like the
course's other invariants, this one reads nothing but the trace.

>>> from playground.scenarios import onboarding_flow
>>> welcomed_to_a_closed_account(onboarding_flow(users=5, seed=1).run())
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.analysis.invariants import Violation

if TYPE_CHECKING:  # pragma: no cover
    from playground.runtime.result import Result

PREFIX = "welcome:"


def welcomed_to_a_closed_account(result: "Result") -> list[Violation]:
    """Users who were sent a welcome email while their account ended up closed."""
    welcomed: dict[str, object] = {}
    account: dict[str, object] = {}
    for e in result.trace.entries:
        if e.kind == "effect" and e.at == "email" and str(e.detail.get("key", "")).startswith(PREFIX):
            welcomed.setdefault(e.detail["key"][len(PREFIX):], e)
        elif e.kind == "state" and e.at == "accounts":
            account[e.detail["instance"]] = e
    found = []
    for user, email in welcomed.items():
        last = account.get(user)
        if last is not None and last.detail["to"] == "closed":
            when = "after" if email.time > last.time else "before"
            found.append(Violation(
                "welcomed-to-a-closed-account", user,
                f"{user} was welcomed at {email.time:.2f} s, {when} their account was closed at {last.time:.2f} s; "
                "do not give up on a step whose effect cannot be undone and may still happen.",
                tuple(sorted((email.seq, last.seq)))))
    return found
