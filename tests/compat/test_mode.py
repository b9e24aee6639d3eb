"""Canaries for the mode-streaming internals in playground/compat/mode.py: each fails in one sentence naming the release."""

import inspect
import logging
from importlib.metadata import version

from mode import OneForOneSupervisor, Service
from mode.services import ServiceTask

from playground.compat.mode import TESTED, WokenSupervisor, format_only_logged_lines
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


class _Counted(Service):
    formatted = 0

    def _format_log(self, severity, msg, *args, **kwargs):
        type(self).formatted += 1
        return super()._format_log(severity, msg, *args, **kwargs)


def _logs_a_line(service):
    service.log.info("hello %s", "there")


def test_a_service_formats_a_log_line_only_when_its_logger_lets_it_through(caplog):
    format_only_logged_lines()
    service = _Counted()
    service.logger.setLevel(logging.WARNING)
    try:
        _logs_a_line(service)
        assert _Counted.formatted == 0, broke("how a service logs (Service.log, CompositeLogger.log)")
        with caplog.at_level(logging.INFO, logger=service.logger.name):
            _logs_a_line(service)
    finally:
        service.logger.setLevel(logging.NOTSET)
    assert _Counted.formatted == 1
    (record,) = caplog.records
    # The line and the caller a record names, as mode's own log gives them.
    assert record.getMessage() == f"[^{service.shortlabel}]: hello there", broke("CompositeLogger.format")
    assert record.funcName == "_logs_a_line", broke("the stacklevel CompositeLogger.log gives the logger")
