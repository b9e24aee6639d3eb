"""Onboarding: a user is created, then welcomed and given an account, as reactions and as a saga.

>>> ONBOARDING_SAGA.stages[1].name
'welcome_and_account'
"""

from __future__ import annotations

from playground.orchestration.saga import Parallel, SagaDefinition, Step

#: Onboarding: the user service announces, the others react on their own.
ONBOARDING_REACTIONS: dict[str, dict[str, str]] = {
    "users": {},
    "email": {"UserCreated": "SendWelcome"},
    "accounts": {"UserCreated": "OpenAccount"},
}


def onboarding_saga(*, welcome_timeout: float | None = None) -> SagaDefinition:
    """Onboarding as one process: once the user exists, welcome them and open their account in parallel.

    With ``welcome_timeout``, a welcome email that does not go out in time fails the
    onboarding and the account is closed again.
    """
    return SagaDefinition("onboarding", [
        Step("user", "RegisterUser", compensation_required=False),
        Parallel(Step("welcome", "SendWelcome", compensation_required=False, timeout=welcome_timeout),
                 Step("account", "OpenAccount", "CloseAccount")),
    ], started_by="UserCreated")


#: Onboarding without deadlines ("do B and C in parallel").
ONBOARDING_SAGA = onboarding_saga()
