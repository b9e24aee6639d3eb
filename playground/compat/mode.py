"""mode-streaming internals the playground relies on (tested with mode-streaming 0.7.1): faust's agent supervisor, services' log lines.

``tests/compat/test_mode.py`` fails in one sentence naming the installed
version if a release changes what :class:`WokenSupervisor` overrides.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mode import OneForOneSupervisor, Service
from mode.utils.logging import CompositeLogger

TESTED = "0.7.1"


class WokenSupervisor(OneForOneSupervisor):
    """mode's agent supervisor, checking its agents when woken (a crash wakes it) and once a simulated hour.

    mode's own polls every 5 seconds in case nobody wakes it; on simulated time
    that is one timer per agent every 5 seconds of the story, which made a run
    spanning days spend most of its time supervising idle agents.

    Relies on: ``SupervisorStrategy._supervisor`` being the background task
    (replaced here by a task of the same name), and its helpers
    ``_services``, ``_please_wakeup`` (the future :meth:`wakeup` resolves),
    ``start_services``, ``restart_services`` and ``service_operational``.
    """

    poll = 3600.0

    @Service.task
    async def _supervisor(self) -> None:
        services = self._services
        while not self.should_stop:
            self._please_wakeup = asyncio.Future(loop=self.loop)
            try:
                await asyncio.wait_for(self._please_wakeup, timeout=self.poll)
            except asyncio.TimeoutError:
                pass
            finally:
                self._please_wakeup = None
            if not self.should_stop:
                await self.start_services([s for s in services if not s.started])
                await self.restart_services([s for s in services if s.started and not self.service_operational(s)])


def _log_when_on(self: CompositeLogger, severity: int, message: str, *args: Any, **kwargs: Any) -> None:
    """``CompositeLogger.log`` of mode 0.7.1 with the level checked first (calling it would add a frame to the record)."""
    if self.logger.isEnabledFor(severity):
        kwargs.setdefault("stacklevel", 2)
        self.logger.log(severity, self.format(severity, message, *args, **kwargs), *args, **kwargs)


def format_only_logged_lines() -> None:
    """Make every mode service format a log line only when its logger's level lets the line through.

    A service logs through a ``CompositeLogger`` whose ``log`` formats the line
    (the service's depth in the tree of services and its short label) before
    the logger checks its level; faust's agents, streams and supervisors log a
    dozen such lines as each run starts and stops, and the playground keeps
    these loggers at WARNING while a bus runs, so all that formatting was
    thrown away. The level is checked first, then mode's own ``log`` body runs:
    what is logged, and the caller a record names, are unchanged. Idempotent;
    applies to the whole process.

    Relies on: ``mode.utils.logging.CompositeLogger`` being the class of every
    service's ``log``, with its ``logger`` attribute, ``format(severity, message,
    *args, **kwargs)`` and a ``log`` that formats, sets ``stacklevel=2`` and
    hands the line to the logger.
    """
    CompositeLogger.log = _log_when_on  # type: ignore[method-assign]
