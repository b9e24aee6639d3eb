"""transitions internals the saga machine relies on (tested with transitions 0.9.3), and nothing else.

The saga engine runs one ``AsyncMachine`` for thousands of instances and arms
each instance's timer at its own deadline; both need more than the public
API offers. Every access is here, with what it relies on;
``tests/compat/test_transitions.py`` fails in one sentence naming the
installed version if a release changes one of them.
"""

from __future__ import annotations

from typing import Any, Callable

from transitions.core import EventData
from transitions.extensions.asyncio import AsyncEvent, AsyncMachine, AsyncState, AsyncTimeout

TESTED = "0.9.3"


class ArmedTimeout(AsyncTimeout):
    """An ``AsyncTimeout`` whose timer the subclass arms itself, instead of ``timeout`` seconds after entry.

    Relies on: ``AsyncTimeout.enter``/``exit`` starting and cancelling the stock
    timer and then calling ``AsyncState.enter``/``exit`` (the state's callbacks),
    so calling ``AsyncState``'s directly runs the callbacks without the stock
    timer; ``AsyncTimeout.runner`` (model id → timer task) and
    ``AsyncTimeout._process_timeout(event_data)`` (runs the ``on_timeout`` callbacks).
    """

    async def enter_callbacks(self, event_data: Any) -> None:
        await AsyncState.enter(self, event_data)

    async def exit_callbacks(self, event_data: Any) -> None:
        await AsyncState.exit(self, event_data)

    async def time_out(self, event_data: Any) -> None:
        await self._process_timeout(event_data)


class ModelList(list):
    """A machine's model list with a constant-time ``in`` (transitions asks it on every ``add_model``)."""

    def __init__(self, items: Any = ()):
        super().__init__(items)
        self._ids = {id(m) for m in self}

    def __contains__(self, model: object) -> bool:
        return id(model) in self._ids

    def append(self, model: Any) -> None:
        self._ids.add(id(model))
        super().append(model)

    def remove(self, model: Any) -> None:
        super().remove(model)
        self._ids.discard(id(model))


class LeanMachine(AsyncMachine):
    """An ``AsyncMachine`` whose ``add_model`` stays cheap with thousands of models, and whose callbacks run in turn.

    Relies on: ``Machine.models`` being the plain list ``add_model`` appends
    to, ``remove_model`` removes from and tests with ``in`` (replaced by a
    :class:`ModelList`); ``Machine._add_model_to_state`` (adds ``is_<state>``)
    and ``Machine._add_may_transition_func_for_trigger`` (adds ``may_<trigger>``)
    being the only places those conveniences are made (both skipped); and
    ``AsyncMachine.await_all``/``callbacks``, which gather each callback list
    concurrently (run one after another here: a saga's callbacks never wait).
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.models = ModelList(self.models)

    @staticmethod
    async def await_all(callables: list[Callable]) -> list[Any]:
        return [await func() for func in callables]

    async def callbacks(self, funcs: list, event_data: Any) -> None:
        for func in funcs:
            await self.callback(func, event_data)

    def _add_model_to_state(self, state: Any, model: Any) -> None:
        pass

    def _add_may_transition_func_for_trigger(self, trigger: str, model: Any) -> None:
        pass


def event_data(state: Any, trigger: str, machine: AsyncMachine, model: Any) -> EventData:
    """The ``EventData`` transitions would pass callbacks for ``trigger`` on ``model`` in ``state``.

    Relies on: ``EventData(state, event, machine, model, args, kwargs)`` and
    ``AsyncEvent(name, machine)``, which transitions builds itself when a trigger fires.
    """
    return EventData(state, AsyncEvent(trigger, machine), machine, model, (), {})
