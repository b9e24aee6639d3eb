"""Hosting the orchestrator on the bus, and crashing it: its inbox outlives it, its memory does not.

The host owns the ``orchestrator`` inbox and hands each message to the
current :class:`~playground.orchestration.orchestrator.Orchestrator`. When the
fault plan crashes the orchestrator (``FaultPlan(crashes={"orchestrator":
[(start, end)]})``) the host throws that object away at ``start`` — timers,
in-memory instances and all — and at ``end`` builds a new one on whatever
the store kept. Messages that arrive meanwhile wait in the inbox, as they
would on a broker. Outages (``outages=``) only pause the inbox.

Deciding costs no simulated time unless the fault plan gives the orchestrator
a latency (``FaultPlan(latency={"orchestrator": 0.01})``): then every message
it takes costs that long, the way a workflow engine spends time persisting
each step. With several workers (``Scenario.with_workers``) that time is spent
side by side, while the decisions themselves are applied one at a time.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Callable, Iterable

from playground.errors import SagaDefinitionError
from playground.orchestration.orchestrator import Orchestrator
from playground.orchestration.saga import SagaDefinition
from playground.orchestration.store import MemoryStore, Store, open_store
from playground.runtime.envelope import Envelope
from playground.runtime.port import WorkflowBus
from playground.runtime.randomness import Randomness


def crash_windows(seed: int, count: int, *, within: tuple[float, float], downtime: float = 5.0) -> list[tuple[float, float]]:
    """``count`` seeded, non-overlapping ``(crash, restart)`` windows inside ``within``, for a FaultPlan.

    Drawn from the ``crashes`` stream of a fresh ``Randomness(seed)``: the same windows every time for one seed.

    >>> [(round(a, 1), round(b, 1)) for a, b in crash_windows(7, 3, within=(0, 100), downtime=2)]
    [(70.6, 72.6), (93.1, 95.1), (96.2, 98.2)]
    """
    rng = Randomness(seed).stream("crashes")
    start, end = within
    windows: list[tuple[float, float]] = []
    while len(windows) < count:
        at = rng.uniform(start, end - downtime)
        if all(at + downtime < a or at > b for a, b in windows):
            windows.append((at, at + downtime))
    return sorted(windows)


class OrchestratorHost:
    """The ``orchestrator`` inbox on ``bus``, serving ``sagas`` with state kept in ``store``.

    Args:
        store: ``"memory"`` (lost in a crash), a file path (SQLite, survives), or a Store.
        randomness: the run's; retry jitter and the orchestrator's own latency draw from it.
    """

    name = "orchestrator"

    def __init__(self, bus: WorkflowBus, sagas: Iterable[SagaDefinition], *, store: "str | os.PathLike | Store" = "memory",
                 randomness: Randomness):
        self.bus = bus
        self.sagas = list(sagas)
        self.randomness = randomness
        self._store_spec = store
        self.current: Orchestrator | None = None
        self.crashes = 0
        #: simulated time → the god's-eye table at that moment (see :meth:`watch`)
        self.snapshots: dict[float, Any] = {}
        self._up: asyncio.Event | None = None
        self._final: list[dict[str, Any]] | None = None
        self._closed = False
        self._deciding: asyncio.Lock | None = None
        self._cost_rng = randomness.stream("latency:orchestrator")

    def attach(self) -> "OrchestratorHost":
        """Open the inbox, subscribe to every reply, schedule the fault plan's crashes; call on the running loop."""
        for saga in self.sagas:
            for service in sorted(s for s in saga.services() if not self.bus.reaches(s)):
                raise SagaDefinitionError(
                    f"The saga '{saga.name}' sends commands to '{service}', which does not run in this wiring; "
                    "host that service or remove its steps.")
        self.bus.add_inbox(self.name, self)
        self.bus.subscribe(self.name, *sorted({t for saga in self.sagas for t in saga.reply_types()}))
        self.current = Orchestrator(self.bus, self.sagas, store=open_store(self._store_spec), name=self.name,
                                    randomness=self.randomness)
        self._up = asyncio.Event()
        self._up.set()
        self._deciding = asyncio.Lock()
        self._cost = self.bus.faults.latency.get(self.name)
        # Whether an outage or crash can ever stop this inbox (asked once, not for every message).
        self._may_stop = self.bus.faults.may_stop(self.name)
        loop = asyncio.get_running_loop()
        for start, end in self.bus.faults.crashes.get(self.name, ()):
            # call_soon from the timer: the fault plan's own "down"/"up" entries come first in the trace.
            loop.call_at(start, loop.call_soon, self.crash)
            loop.call_at(end, loop.call_soon, self.restart)
        return self

    # -- the inbox -----------------------------------------------------------------
    async def __call__(self, envelope: Envelope) -> None:
        bus = self.bus
        while True:
            back = bus.faults.down_until(self.name, bus.now()) if self._may_stop else None
            if back is not None:
                await bus.sleep(back - bus.now())  # down: the inbox fills, nothing is taken
            elif self.current is None:
                await self._up.wait()
            else:
                break
        bus.deliver(envelope, self.name)
        if self._cost is not None:
            delay = self._cost.sample(self._cost_rng)
            if delay:
                await bus.sleep(delay)
            if self.current is None:  # crashed while deciding: the message was never acknowledged
                await self._up.wait()
        deciding = self._deciding  # async with, without the two coroutines of __aenter__ and __aexit__
        await deciding.acquire()
        try:
            await self.current.handle(envelope)
        finally:
            deciding.release()

    async def start(self, saga: str, instance_id: str, data: dict[str, Any]) -> None:
        """Start an instance directly, without a start message on the bus."""
        await self.current.start(saga, instance_id, data)

    def own(self, owns: Callable[[str], bool]) -> tuple[int, int]:
        """Hold only the instances ``owns`` accepts (see :meth:`Orchestrator.own`); ``(released, taken over)``."""
        if self.current is None:
            return 0, 0
        return self.current.own(owns)

    # -- crashing --------------------------------------------------------------------
    def crash(self) -> None:
        """Throw the orchestrator away: its timers stop and whatever it held only in memory is gone."""
        dead, self.current = self.current, None
        if dead is None:
            return
        self._up.clear()
        self.crashes += 1
        in_memory = sum(inst.busy for inst in dead.instances.values())
        for _ in range(dead.halt()):
            self.bus.release()
        self.bus.hold()  # the run is not over while the orchestrator is down
        self._store = dead.store
        self.bus.trace.record(self.bus.now(), "fault", self.name, detail={
            "fault": "crash", "phase": "lost-memory", "instances": in_memory, "store": dead.store.kind})

    def restart(self) -> None:
        """Build a new orchestrator on what the store kept and resume every busy instance."""
        if self.current is not None:
            return
        fresh = Orchestrator(self.bus, self.sagas, store=self._store.reopen(), name=self.name,
                             randomness=self.randomness)
        resumed = fresh.resume()
        self.current = fresh
        self.bus.trace.record(self.bus.now(), "fault", self.name, detail={
            "fault": "crash", "phase": "resumed", "instances": resumed})
        self.bus.release()
        self._up.set()

    # -- looking ------------------------------------------------------------------------
    @property
    def store(self) -> Store | None:
        return self.current.store if self.current is not None else None

    def records(self) -> list[dict[str, Any]]:
        """Every instance the current orchestrator's store knows, as plain records."""
        if self._final is None and self._closed and self.store is not None:
            self._final = self.store.records()  # a store in memory is read when first asked (see close)
        if self._final is not None:
            return self._final
        return self.store.records() if self.store is not None else []

    def table(self):
        """The god's-eye view: one row per instance (see :class:`~playground.orchestration.view.InstanceTable`)."""
        from playground.orchestration.view import InstanceTable

        return InstanceTable.from_records(self.records())

    def watch(self, times: Iterable[float]) -> None:
        """Take the god's-eye table at each of these simulated times (kept in :attr:`snapshots`)."""
        loop = asyncio.get_running_loop()
        for when in times:
            loop.call_at(when, self._snapshot, when)

    def _snapshot(self, when: float) -> None:
        self.snapshots[when] = self.table()

    def diagram(self, instance: str | None = None, saga: str | None = None):
        """A saga's state machine as Mermaid, with ``instance``'s current state highlighted."""
        from playground.orchestration.view import diagram

        record = next((r for r in self.records() if r["id"] == instance), None) if instance else None
        name = saga or (record["saga"] if record else self.sagas[0].name)
        chosen = next(s for s in self.sagas if s.name == name)
        return diagram(chosen, highlight=record["state"] if record else None, instance=instance)

    def close(self) -> None:
        """Keep the final records for later questions, then close the store.

        A store kept in memory needs no closing and nothing changes it once the
        run is over, so its records are built only if someone asks for them.
        """
        if self._closed:
            return
        self._closed = True
        if self.store is not None and not isinstance(self.store, MemoryStore):
            self._final = self.store.records()
            self.store.close()
