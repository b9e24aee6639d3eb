"""Canaries for the mode-streaming internals in playground/compat/mode.py: each fails in one sentence naming the release."""

import inspect
from importlib.metadata import version

from mode import OneForOneSupervisor
from mode.services import ServiceTask

from playground.compat.mode import TESTED, WokenSupervisor
from playground.scenarios.order_flow import order_flow

INSTALLED = version("mode-streaming")


def broke(what: str) -> str:
    return (f"mode-streaming {INSTALLED} changed {what}, which playground/compat/mode.py relies on "
            f"(tested with {TESTED}); pin mode-streaming=={TESTED} or mend the fence.")


def test_the_supervisor_task_it_replaces_is_still_called_supervisor():
    parent = OneForOneSupervisor.__mro__[1]
    assert isinstance(vars(parent).get("_supervisor"), ServiceTask), broke("SupervisorStrategy._supervisor")
    tasks = getattr(WokenSupervisor, "_tasks", {})
    ours = tasks.get(f"{WokenSupervisor.__module__}.{WokenSupervisor.__qualname__}")
    # Same name, so it replaces the stock task instead of running beside it.
    assert ours == {"_supervisor"}, broke("how Service.task collects a class's tasks (Service._tasks)")


def test_the_helpers_the_supervisor_calls_still_exist_with_the_same_shape():
    for name, params in (("start_services", ["self", "services"]), ("restart_services", ["self", "services"]),
                         ("service_operational", ["self", "service"]), ("wakeup", ["self"])):
        method = getattr(OneForOneSupervisor, name, None)
        assert method is not None, broke(f"OneForOneSupervisor.{name}")
        assert list(inspect.signature(method).parameters) == params, broke(f"the signature of {name}")


def test_a_run_starts_and_stops_every_agent_under_the_woken_supervisor():
    # A run whose services never crash still starts and stops every agent under this supervisor.
    result = order_flow(orders=5, seed=1).run()
    assert result.counts() == {"completed": 5}, broke("the supervisor's start and stop")
