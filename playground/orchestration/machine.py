"""The saga as a `transitions` state machine: one machine per saga definition, one model per instance.

States are the saga's stages plus ``new``, ``compensating`` and the three
endings (``completed``, ``compensated``, ``stuck``). Every state is an
``AsyncTimeout`` state (added with ``add_state_features``) whose timer fires
at the *instance's own* deadline instead of a fixed delay after entry: an
instance resumed after a crash, or a parallel group whose steps have
different timeouts, is still woken at the exact simulated moment it is due.

>>> from playground.orchestration.saga import SagaDefinition, Step, Retry
>>> saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", timeout=5,
...                                     retry=Retry(count=1))])
>>> states, transitions = machine_spec(saga)
>>> [s["name"] for s in states]
['new', 'flight', 'compensating', 'completed', 'compensated', 'stuck']
>>> sorted({t["trigger"] for t in transitions})
['done', 'fail', 'give_up', 'retry', 'start', 'time_out', 'undone']
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from transitions.extensions.states import add_state_features

from playground.compat.transitions import ArmedTimeout, LeanMachine
from playground.orchestration.steps import Approval, Stages
from playground.runtime.realtime import timers

TERMINALS = ("completed", "compensated", "stuck")


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Deadline(ArmedTimeout):
    """An ``AsyncTimeout`` whose timer fires at ``model.deadline`` (absolute simulated seconds).

    The timer is armed *after* the state's enter callbacks, because those are
    what set the deadline (sending a step's command starts its wait); it is
    disarmed before the exit callbacks (both as :class:`ArmedTimeout` does).
    """

    def arm(self, event_data: Any) -> None:
        """(Re)start the model's timer for its current deadline; no deadline, no timer."""
        model = event_data.model
        if self.runner:  # no timer in this state, nothing to cancel
            self.disarm(model)
        when = model.deadline
        if when is not None:
            self.runner[id(model)] = asyncio.get_running_loop().create_task(self._wait_until(when, event_data))

    async def _wait_until(self, when: float, event_data: Any) -> None:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        # call_at, not sleep(when - now): the timer fires at exactly `when`, with no float drift.
        # The machine's bus says whose seconds `when` is in (a broker's are Unix seconds); without
        # one, a live session's scaled clock when one runs this code, else the loop itself.
        clock = event_data.machine.timers
        handle = (clock() if clock is not None else timers(loop)).call_at(when, _wake, waiter)
        try:
            await waiter
            await asyncio.shield(self.time_out(event_data))
        except asyncio.CancelledError:
            handle.cancel()


@add_state_features(Deadline)
class SagaMachine(LeanMachine):
    """An ``AsyncMachine`` (``queued=True``) tuned for one machine serving thousands of models.

    * Callbacks run one after another: the stock machine gathers each list
      concurrently, a task per callback, but a saga's callbacks never wait.
    * ``add_model`` stays cheap as models pile up (a set answers "already added?")
      and gives a model its trigger methods only, not the ``is_<state>`` and
      ``may_<trigger>`` conveniences nobody here calls.
    * The orchestrator adopts each instance (a state, no trigger methods) and
      moves it with ``fire(instance, trigger)``: the transitions to take are
      looked up in a table built once from this machine's own ``events``, and
      the same callbacks run in the same order as ``instance.trigger(...)``.

    All of these are :class:`~playground.compat.transitions.LeanMachine`'s, which
    holds the transitions internals they need.
    """

    def __init__(self, *args: Any, timers: Callable[[], Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: returns where deadlines are set (a bus's ``timers``); None: the running loop or live clock.
        self.timers = timers


def machine_spec(saga: Stages) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The states and transitions of ``saga``'s machine, as plain dicts (shared with the diagram)."""
    states: list[dict[str, Any]] = [{"name": "new"}]
    transitions: list[dict[str, Any]] = []

    def edge(trigger: str, source: str, dest: str) -> None:
        transitions.append({"trigger": trigger, "source": source, "dest": dest})

    names = saga.stage_names
    for index, stage in enumerate(saga.stages):
        following = names[index + 1] if index + 1 < len(names) else "completed"
        members = saga.members(stage)
        waits = [stage.name]
        if isinstance(stage, Approval) and stage.escalation:
            waits.append(stage.escalated_state)
        for position, name in enumerate(waits):
            states.append({"name": name})
            edge("done", name, following)
            edge("fail", name, "compensating")
            if any(getattr(m, "timeout", None) for m in members):
                if position + 1 < len(waits):  # an approval's first timeout escalates it
                    edge("escalate", name, waits[position + 1])
                else:
                    edge("time_out", name, "compensating")
            if any(m.retry.count for m in members):
                edge("retry", name, name)
    transitions.insert(0, {"trigger": "start", "source": "new", "dest": names[0]})
    states.append({"name": "compensating"})
    if saga.compensable and saga.compensation_retry.count:
        edge("retry", "compensating", "compensating")
    edge("undone", "compensating", "compensated")
    edge("give_up", "compensating", "stuck")
    states += [{"name": name, "final": True} for name in TERMINALS]
    return states, transitions


def build_machine(saga: Stages, *, on_enter: dict[str, Callable], after_change: Callable,
                  on_deadline: Callable, on_exception: Callable,
                  timers: Callable[[], Any] | None = None) -> SagaMachine:
    """One machine for every instance of ``saga``; callbacks receive transitions' ``EventData``.

    ``timers`` returns where deadlines are set, in the seconds of the bus's ``now()``.
    """
    states, transitions = machine_spec(saga)
    for state in states:
        state["on_timeout"] = on_deadline
        callback = on_enter.get(state["name"]) or on_enter.get("stage" if state["name"] in saga.stage_names
                                                                or state["name"].endswith("_escalated") else "")
        if callback is not None:
            state["on_enter"] = callback
    return SagaMachine(model=[], states=states, transitions=transitions, initial="new", send_event=True,
                       auto_transitions=False, queued=True, after_state_change=after_change,
                       on_exception=on_exception, name=f"saga {saga.name}: ", timers=timers)
