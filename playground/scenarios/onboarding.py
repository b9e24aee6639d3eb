"""Customer onboarding, two ways: one orchestrated process, or services reacting to ``UserCreated``.

Users sign up; each needs a welcome email and a billing account. Wired as
orchestration, an ``onboarding`` saga instance exists per user and *is* the
process: it has a state, a beginning and one end (``SagaCompleted``). Wired
as choreography, there is no onboarding entity at all — the email and
account services each hear ``UserCreated`` and do their part; "onboarded" is
only what the trace shows once both parts happened.

>>> onboarding_flow(users=10, seed=2, wiring="orchestration").run().counts()
Counter({'onboarded': 10})
>>> onboarding_flow(users=10, seed=2, wiring="choreography").run().counts()
Counter({'onboarded': 10})
"""

from __future__ import annotations

import asyncio
from typing import Any, Mapping

from playground.transport.bus import Bus
from playground.runtime.faults import FaultPlan
from playground.runtime.latency import Latency, Uniform
from playground.runtime.randomness import Randomness
from playground.runtime.result import Result
from playground.scenarios.base import Scenario, builds
from playground.runtime.checks import latencies, positive_number, whole_number
from playground.services import Accounts, Email, Service, Users
from playground.flows.onboarding import ONBOARDING_REACTIONS, onboarding_saga
from playground.wiring.choreography import choreograph
from playground.errors import ScenarioError
from playground.wiring.machines import MachineFactory, MachineOrchestrator
from playground.orchestration.saga import SagaDefinition
from playground.wiring.orchestration import adds_orchestrator, check_saga, host_services, orchestrate

#: Default processing times in simulated seconds.
ONBOARDING_LATENCY: dict[str, "float | Latency"] = {"users": 0.05, "email": Uniform(0.1, 0.5), "accounts": 0.2}

#: What each wiring's finished users look like in the trace.
CHOREOGRAPHED_PARTS = {"WelcomeEmailSent": "welcomed", "AccountCreated": "account opened"}
ORCHESTRATED_ENDS = {"SagaCompleted": "onboarded", "SagaCompensated": "compensated", "SagaStuck": "stuck"}


def _choreography(scenario: "OnboardingFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    choreograph(bus, services, ONBOARDING_REACTIONS, randomness)


@adds_orchestrator
def _orchestration(scenario: "OnboardingFlow", bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    if scenario.machine is not None:  # a hand-written machine in place of the generated one
        host_services(bus, services, randomness)
        scenario.run_extras["orchestrator"] = MachineOrchestrator(scenario.machine).attach(bus)
        return
    host = orchestrate(bus, services, [scenario.saga], randomness)
    scenario.run_extras.update(orchestrator=host, saga=scenario.saga, compensable=scenario.saga.compensable)


class OnboardingFlow(Scenario):
    """``users`` sign-ups at ``rate`` per simulated second.

    Args:
        welcome_timeout: (orchestration) seconds the saga waits for the welcome
            email before it gives up and closes the account again.
        machine: (orchestration) a hand-written ``build(instance)`` returning a
            ``transitions`` machine, run instead of the one the saga generates; a
            user is then onboarded when both parts happened, as in the network.
        saga: (orchestration) a saga definition of your own, run instead of
            :func:`~playground.flows.onboarding.onboarding_saga`; it must start on ``UserCreated``.
    """

    name = "onboarding"
    start_event = "UserCreated"
    unit = "users"
    wirings = {"choreography": _choreography, "orchestration": _orchestration}

    def __init__(self, *, users: int = 100, seed: int = 0, rate: float = 1.0,
                 latency: Mapping[str, "float | Latency"] | None = None, welcome_timeout: float | None = None,
                 wiring: str = "choreography", faults: FaultPlan | None = None, horizon: float | None = None,
                 machine: "MachineFactory | None" = None, saga: SagaDefinition | None = None):
        super().__init__(seed=seed, wiring=wiring, horizon=horizon, faults=faults)
        if machine is not None and wiring != "orchestration":
            raise ScenarioError("machine= replaces the orchestrator, so it needs wiring='orchestration'.")
        check_saga(saga, wiring=wiring, machine=machine, started_by=self.start_event,
                   clashes={"welcome_timeout": welcome_timeout})
        self.machine = machine
        self.users = whole_number("users", users)
        self.rate = positive_number("rate", rate)
        self.latency = latencies(latency, ONBOARDING_LATENCY)
        timeout = positive_number("welcome_timeout", welcome_timeout) if welcome_timeout is not None else None
        self.saga = saga if saga is not None else onboarding_saga(welcome_timeout=timeout)
        # One end per user when a process exists; two independent parts when none does.
        # A hand-written machine announces no ending, so its users are judged like the network's.
        self.terminals = ORCHESTRATED_ENDS if wiring == "orchestration" and machine is None else CHOREOGRAPHED_PARTS

    def planned(self) -> int:
        return self.users

    def default_horizon(self) -> float:
        return 10 * self.users / self.rate + 3600

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        lat = self.latency
        return {"users": Users(latency=lat["users"]), "email": Email(latency=lat["email"]),
                "accounts": Accounts(latency=lat["accounts"])}

    async def drive(self, bus: Bus, randomness: Randomness) -> None:
        rng = randomness.stream("workload")
        for i in range(self.users):
            await asyncio.sleep(rng.expovariate(self.rate))
            user_id = f"user-{i + 1:04d}"
            self._ids.append(user_id)
            bus.publish(bus.message("RegisterUser", {"user_id": user_id, "email": f"{user_id}@example.org"},
                                    sender="signup", correlation_id=user_id))

    async def _main(self) -> Result:
        result = await super()._main()
        if self.terminals is CHOREOGRAPHED_PARTS:
            # Both parts happened, in either order: that is what "onboarded" means without a process.
            both = {"+".join(CHOREOGRAPHED_PARTS.values()), "+".join(reversed(CHOREOGRAPHED_PARTS.values()))}
            result.outcomes = {u: "onboarded" if o in both else o for u, o in result.outcomes.items()}
        return result


@builds(OnboardingFlow)
def onboarding_flow(**params: Any) -> OnboardingFlow:
    """Build the onboarding scenario; call ``.run()`` on it. See :class:`OnboardingFlow` for parameters."""
    return OnboardingFlow(**params)
