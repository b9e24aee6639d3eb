"""mode-streaming internals the playground relies on (tested with mode-streaming 0.7.1): faust's agent supervisor.

``tests/compat/test_mode.py`` fails in one sentence naming the installed
version if a release changes what :class:`WokenSupervisor` overrides.
"""

from __future__ import annotations

import asyncio

from mode import OneForOneSupervisor, Service

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
