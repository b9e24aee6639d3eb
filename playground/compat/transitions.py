"""transitions internals the saga machine relies on (tested with transitions 0.9.3), and nothing else.

The saga engine runs one ``AsyncMachine`` for thousands of instances and arms
each instance's timer at its own deadline; both need more than the public
API offers. Every access is here, with what it relies on;
``tests/compat/test_transitions.py`` fails in one sentence naming the
installed version if a release changes one of them.
"""

from __future__ import annotations

import inspect
from collections import deque
from functools import partial
from types import CoroutineType
from typing import Any, Awaitable, Callable

from transitions.core import EventData, MachineError
from transitions.extensions.asyncio import AsyncEvent, AsyncMachine, AsyncTimeout

TESTED = "0.9.3"


class ArmedTimeout(AsyncTimeout):
    """An ``AsyncTimeout`` whose timer the subclass arms itself, instead of ``timeout`` seconds after entry.

    Entering runs the state's enter callbacks, then :meth:`arm`; leaving runs
    :meth:`disarm`, then the exit callbacks. A subclass that keeps these two
    methods (and overrides only ``arm``/``disarm``) lets :class:`LeanMachine`
    run a lean transition's whole exit → change → enter in one coroutine.

    Relies on: ``AsyncTimeout.enter``/``exit`` starting and cancelling the stock
    timer and then calling ``AsyncState.enter``/``exit`` (the state's callbacks),
    so calling ``AsyncState``'s directly runs the callbacks without the stock
    timer; ``AsyncState.enter``/``exit`` being ``machine.callbacks(on_enter /
    on_exit)`` between two log lines (the callbacks are run here without
    the log lines); ``AsyncTimeout.runner`` (model id → timer task) and
    ``AsyncTimeout._process_timeout(event_data)`` (runs the ``on_timeout`` callbacks).
    """

    async def enter(self, event_data: Any) -> None:
        await self.enter_callbacks(event_data)
        self.arm(event_data)

    async def exit(self, event_data: Any) -> None:
        self.disarm(event_data.model)
        await self.exit_callbacks(event_data)

    def arm(self, event_data: Any) -> None:
        """Start the model's timer, if the subclass has one (called after the enter callbacks)."""

    def disarm(self, model: Any) -> None:
        """Cancel the model's timer, if it runs (called before the exit callbacks)."""
        timer = self.runner.pop(id(model), None)
        if timer is not None and not timer.done():
            timer.cancel()

    async def enter_callbacks(self, event_data: Any) -> None:
        # AsyncState.enter without its two log lines (as LeanMachine.fire leaves out the event's).
        if self.on_enter:
            await event_data.machine.callbacks(self.on_enter, event_data)

    async def exit_callbacks(self, event_data: Any) -> None:
        if self.on_exit:
            await event_data.machine.callbacks(self.on_exit, event_data)

    async def time_out(self, event_data: Any) -> None:
        await self._process_timeout(event_data)


async def _queued() -> bool:
    return True  # what awaiting a trigger queued behind a running transition gives, as in AsyncMachine


def _inline(state: Any) -> bool:
    """Whether ``state`` enters and leaves as :class:`ArmedTimeout` does (so a transition may run its parts inline)."""
    kind = type(state)
    return kind.enter is ArmedTimeout.enter and kind.exit is ArmedTimeout.exit


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
    concurrently (run one after another here: a saga's callbacks never wait),
    and ``AsyncMachine.callback`` with ``Machine.resolve_callable``, which
    return anything but a string unchanged and await what the call returns
    when it is awaitable (done here directly for a function).

    It also has a faster way to fire a trigger, :meth:`fire`, for models it
    holds without trigger methods (:meth:`adopt`), and :meth:`fire_next` for
    a callback that is a plain function. A transition between two states
    that enter and leave as :class:`ArmedTimeout` does runs its parts inline,
    in one coroutine. See :meth:`fire` for what that relies on.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._moves: dict[tuple[str, str], tuple] | None = None
        super().__init__(*args, **kwargs)
        self.models = ModelList(self.models)
        self._timeout_event = AsyncEvent("timeout", self)

    @staticmethod
    async def await_all(callables: list[Callable]) -> list[Any]:
        return [await func() for func in callables]

    async def callbacks(self, funcs: list, event_data: Any) -> None:
        for func in funcs:
            pending = self._call(func, event_data)
            if pending is not None:
                await pending

    def _call(self, func: Any, event_data: Any) -> Any:
        """Call one callback; return what is left to await (None when it has finished).

        ``AsyncMachine.callback`` for a function (not a name to look up) with
        ``send_event``: called as it is, its result awaited only when awaitable,
        so a plain function costs no coroutine.
        """
        if isinstance(func, str) or not self.send_event:
            return self.callback(func, event_data)
        result = func(event_data)
        if result is not None and (type(result) is CoroutineType or inspect.isawaitable(result)):
            return result
        return None

    def _add_model_to_state(self, state: Any, model: Any) -> None:
        pass

    def _add_may_transition_func_for_trigger(self, trigger: str, model: Any) -> None:
        pass

    # -- the fast trigger path -------------------------------------------------------
    def add_transition(self, *args: Any, **kwargs: Any) -> None:
        self._moves = None  # the table is built again, from the machine's events, at the next fire()
        super().add_transition(*args, **kwargs)

    def add_states(self, *args: Any, **kwargs: Any) -> None:
        self._moves = None  # the table holds state objects: a state added again must be looked up again
        super().add_states(*args, **kwargs)

    def adopt(self, model: Any, initial: str | None = None) -> None:
        """Hold ``model`` in ``initial`` (default: the machine's initial state) without giving it trigger methods.

        ``add_model`` binds a ``trigger`` method and one method per trigger to
        every model; a model moved only through :meth:`fire` needs none of them.
        Relies on: ``Machine.set_state``, ``Machine.models``, and, for a machine
        queued per model, ``AsyncMachine._transition_queue_dict`` (one queue per model id).
        """
        if model in self.models:
            return
        self.set_state(initial if initial is not None else self.initial, model=model)
        self.models.append(model)
        if self.has_queue == "model":
            self._transition_queue_dict[id(model)] = deque()

    def moves(self) -> dict[tuple[str, str], tuple]:
        """(source state, trigger) → its transitions, each with how it can be taken.

        How: ``None`` through ``Transition.execute`` (the stock way), ``True``
        by :meth:`_change`, or ``(source state, dest state)`` inline in
        :meth:`_fire_now` (both states enter and leave as :class:`ArmedTimeout` does).
        Built once from the machine's own ``events`` (``Event.transitions``:
        source name → transitions, tried in order), and again after a transition or a state is added.
        """
        if self._moves is None:
            self._moves = {(source, name): tuple((t, self._plan(t)) for t in transitions)
                           for name, event in self.events.items() for source, transitions in event.transitions.items()}
        return self._moves

    def _plan(self, transition: Any) -> Any:
        if not self._lean(transition):
            return None
        source, dest = self.states[transition.source], self.states[transition.dest]
        return (source, dest) if _inline(source) and _inline(dest) else True

    def _lean(self, transition: Any) -> bool:
        """Whether ``transition`` has nothing but the exit, the state change, the enter and the after-change callbacks.

        Relies on: ``Transition.prepare``/``conditions``/``before``/``after``/``dest``
        and ``Machine.before_state_change``, the callback lists ``AsyncTransition.execute``
        runs; ``model_graphs`` (a graph machine restyles its graph on every change).
        """
        return (self.send_event and transition.dest is not None and not hasattr(self, "model_graphs")
                and not (transition.prepare or transition.conditions or transition.before or transition.after
                         or self.before_state_change))

    def fire_next(self, model: Any, trigger: str, *args: Any, **kwargs: Any) -> None:
        """From inside a callback: fire ``trigger`` once the transition now running is over.

        What ``await fire(...)`` does there on a queued machine (queue it and
        return), without a coroutine, so the callback can be a plain function.
        """
        queue = self._transition_queue_dict[id(model)] if self.has_queue else None
        if not queue:
            raise MachineError(f"fire_next({trigger!r}) needs a queued machine and a transition of this model "
                               "under way; outside a callback, await fire() instead.")
        if trigger not in self.events:
            raise AttributeError(f"Do not know event named '{trigger}'.")
        queue.append(partial(self._fire_now, EventData(None, self.events[trigger], self, model, args=args,
                                                        kwargs=kwargs)))

    def fire(self, model: Any, trigger: str, *args: Any, **kwargs: Any) -> Awaitable[bool]:
        """What ``model.trigger(trigger, ...)`` does, looked up in :meth:`moves` instead of step by step.

        The same callbacks run in the same order, through the machine's queue:
        a trigger fired from inside a callback runs after the current transition.
        Left out: transitions' log lines, and ``AsyncMachine.process_context``, which records the task in
        ``async_tasks`` so that a later transition of the same model can cancel
        it; here every callback runs to its end without waiting, so there is
        never a task to cancel.
        Relies on: ``AsyncMachine._process_async(func, model)`` and, for a queued
        machine, the queue it keeps per model in ``_transition_queue_dict``
        (``remove_model`` drops queued entries whose first argument's ``model``
        is the one removed, or the model's whole queue), ``Event._is_valid_source`` (raises ``MachineError``
        for a trigger the state has no transition for), and the order of
        ``AsyncEvent._trigger``, ``AsyncTransition.execute`` and ``_change_state``
        (which the inline path follows: exit, state change, enter, ``on_final``, after-change).
        Returns what to await: the transition itself when none is under way (it
        then runs whatever queues up behind it), so there is no coroutine in between.
        """
        try:
            event = self.events[trigger]
        except KeyError:
            raise AttributeError(f"Do not know event named '{trigger}'.") from None
        event_data = EventData(None, event, self, model, args=args, kwargs=kwargs)
        if not self.has_queue:
            return self._process_async(partial(self._fire_now, event_data), model)
        # AsyncMachine._process_async for a queued machine: this entry stays at the head of the queue while
        # its transition runs, and _fire_now(head=True) then runs the entries queued behind it.
        queue = self._transition_queue_dict[id(model)]
        queue.append(partial(self._fire_now, event_data))
        if len(queue) > 1:  # a transition of this model is running: this one runs after it
            return _queued()
        return self._fire_now(event_data, head=True)

    async def _fire_now(self, event_data: EventData, head: bool = False) -> bool:
        """One trigger's transition; with ``head``, then the triggers queued behind it (as ``_process_async`` runs them).

        The transition's steps are written out here, not in a coroutine of their own: a move is one coroutine.
        """
        try:
            model, event = event_data.model, event_data.event
            name = getattr(model, self.model_attribute)
            state = event_data.state = self.states[name] if name in self.states else self.get_state(name)
            try:
                moves = (self._moves or self.moves()).get((state.name, event.name))
                if moves is None and event._is_valid_source(state):
                    moves = tuple((t, self._plan(t)) for t in event.transitions[state.name])
                if moves is not None:
                    prepare = self.prepare_event
                    if prepare:
                        await self.callbacks(prepare, event_data)
                    for transition, plan in moves:
                        event_data.transition = transition
                        if plan is None:
                            event_data.result = await transition.execute(event_data)
                        elif plan is True:
                            event_data.result = await self._change(transition, event_data)
                        else:  # _change with both states' enter and exit taken apart, in this one coroutine
                            source, dest = plan
                            if self.async_tasks.get(id(model)):
                                await self.cancel_running_transitions(model, event.name)
                            source.disarm(model)
                            for func in source.on_exit:
                                pending = self._call(func, event_data)
                                if pending is not None:
                                    await pending
                            setattr(model, self.model_attribute, dest.value)
                            event_data.state = dest
                            for func in dest.on_enter:  # _call, written out for the two lists every move runs
                                pending = self.callback(func, event_data) if isinstance(func, str) else func(event_data)
                                if pending is not None and (type(pending) is CoroutineType or inspect.isawaitable(pending)):
                                    await pending
                            dest.arm(event_data)
                            for func in (self.on_final if dest.final else ()):
                                pending = self._call(func, event_data)
                                if pending is not None:
                                    await pending
                            for func in self.after_state_change:
                                pending = self.callback(func, event_data) if isinstance(func, str) else func(event_data)
                                if pending is not None and (type(pending) is CoroutineType or inspect.isawaitable(pending)):
                                    await pending
                            event_data.result = True
                        if event_data.result:
                            break
            except BaseException as err:
                event_data.error = err
                if self.on_exception:
                    await self.callbacks(self.on_exception, event_data)
                else:
                    raise
            finally:
                try:
                    finalize = self.finalize_event
                    if finalize:
                        await self.callbacks(finalize, event_data)
                except BaseException:  # as the stock path does: a finalize callback's error is not raised
                    pass
        except BaseException:
            if head:
                self._transition_queue_dict[id(event_data.model)].clear()
            raise
        if not head:
            return event_data.result
        queues, key = self._transition_queue_dict, id(event_data.model)
        try:
            queue = queues[key]
            queue.popleft()
        except KeyError:  # the model was removed meanwhile, with its queue
            return True
        while queue:
            try:
                await queue[0]()
            except BaseException:
                queue.clear()
                raise
            try:
                queues[key].popleft()
            except KeyError:
                return True
        return True

    async def _change(self, transition: Any, event_data: EventData) -> bool:
        """``AsyncTransition.execute`` for a lean transition: exit, set the state, enter, after-change.

        Relies on: ``AsyncMachine.cancel_running_transitions`` cancelling only
        tasks listed in ``async_tasks`` under the model's id.
        """
        model = event_data.model
        if self.async_tasks.get(id(model)):  # only tasks of a stock trigger can be running
            await self.cancel_running_transitions(model, event_data.event.name)
        await self.states[transition.source].exit(event_data)
        dest = self.states[transition.dest]
        setattr(model, self.model_attribute, dest.value)
        event_data.state = dest
        await dest.enter(event_data)
        if dest.final:
            final = self.on_final
            if final:
                await self.callbacks(final, event_data)
        after = self.after_state_change
        if after:
            await self.callbacks(after, event_data)
        return True

    def timer_data(self, state: Any, model: Any) -> EventData:
        """The ``EventData`` a timer of ``model`` in ``state`` carries (as :func:`event_data` with "timeout")."""
        return EventData(state, self._timeout_event, self, model, (), {})


def event_data(state: Any, trigger: str, machine: AsyncMachine, model: Any) -> EventData:
    """The ``EventData`` transitions would pass callbacks for ``trigger`` on ``model`` in ``state``.

    Relies on: ``EventData(state, event, machine, model, args, kwargs)`` and
    ``AsyncEvent(name, machine)``, which transitions builds itself when a trigger fires.
    """
    return EventData(state, AsyncEvent(trigger, machine), machine, model, (), {})
