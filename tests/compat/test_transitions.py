"""Canaries for the transitions internals in playground/compat/transitions.py: each fails in one sentence naming the release."""

from importlib.metadata import version

from transitions.extensions.asyncio import AsyncEvent, AsyncState, AsyncTimeout
from transitions.extensions.states import add_state_features

from playground.compat.transitions import TESTED, ArmedTimeout, LeanMachine, ModelList, event_data
from playground.runtime.clock import run_simulated

INSTALLED = version("transitions")


def broke(what: str) -> str:
    return (f"transitions {INSTALLED} changed {what}, which playground/compat/transitions.py relies on "
            f"(tested with {TESTED}); pin transitions=={TESTED} or mend the fence.")


class _Armed(ArmedTimeout):
    async def enter(self, event_data):
        await self.enter_callbacks(event_data)

    async def exit(self, event_data):
        await self.exit_callbacks(event_data)


@add_state_features(_Armed)
class _Machine(LeanMachine):
    pass


class _Model:
    pass


def _machine(**extra):
    return _Machine(states=[{"name": "a", "timeout": 5, "on_timeout": "to_b", **extra}, "b"], initial="a",
                    queued=True, auto_transitions=True)


def test_state_callbacks_run_without_the_stock_timer():
    assert {"enter", "exit"} <= set(vars(AsyncState)), broke("AsyncState.enter/exit")

    async def main():
        machine, model = _machine(), _Model()
        machine.add_model(model)
        await model.to_a()
        return machine.get_state("a").runner.get(id(model))

    assert run_simulated(main, horizon=60) is None, broke("AsyncTimeout.enter (the stock timer still starts)")


def test_a_timeout_fired_by_hand_runs_the_on_timeout_callbacks():
    assert hasattr(AsyncTimeout, "_process_timeout"), broke("AsyncTimeout._process_timeout")

    async def main():
        machine, model = _machine(), _Model()
        machine.add_model(model)
        state = machine.get_state("a")
        await state.time_out(event_data(state, "timeout", machine, model))
        return model.state

    assert run_simulated(main, horizon=60) == "b", broke("AsyncTimeout._process_timeout (on_timeout did not run)")


def test_models_are_kept_in_the_constant_time_list_without_is_and_may_methods():
    machine, model = _machine(), _Model()
    machine.add_model(model)
    assert isinstance(machine.models, ModelList) and model in machine.models, broke("Machine.models")
    assert hasattr(model, "to_b"), broke("how add_model gives a model its triggers")
    assert not hasattr(model, "is_a"), broke("Machine._add_model_to_state (is_<state> still added)")
    assert not hasattr(model, "may_to_b"), broke("Machine._add_may_transition_func_for_trigger (may_<trigger> added)")
    machine.remove_model(model)
    assert model not in machine.models, broke("how remove_model updates Machine.models")


def test_hand_built_event_data_carries_what_callbacks_read():
    machine, model = _machine(), _Model()
    machine.add_model(model)
    state = machine.get_state("a")
    data = event_data(state, "timeout", machine, model)
    assert (data.state, data.machine, data.model, data.event.name) == (state, machine, model, "timeout"), \
        broke("EventData(state, event, machine, model, args, kwargs) or AsyncEvent(name, machine)")


class _Logged(ArmedTimeout):
    async def enter(self, event_data):
        event_data.machine.log.append(("enter", self.name, event_data.kwargs.get("n")))
        await self.enter_callbacks(event_data)

    async def exit(self, event_data):
        event_data.machine.log.append(("exit", self.name, event_data.kwargs.get("n")))
        await self.exit_callbacks(event_data)


@add_state_features(_Logged)
class _LoggedMachine(LeanMachine):
    def __init__(self, **kwargs):
        self.log = []
        super().__init__(**kwargs)


async def _moves(fire, kind=_LoggedMachine):
    """Fire the same triggers on a machine with nested (queued) triggers, a condition, a failure and an end."""
    async def after(event):
        machine.log.append(("after", event.transition.source, event.transition.dest, event.kwargs.get("n")))
        if event.transition.dest == "b" and event.kwargs.get("n") == 1:
            await fire(event.model, "go", n=2)  # queued: runs once this transition is over
        if event.transition.dest == "c":
            raise ValueError("c refuses")

    machine = kind(states=["a", "b", "c", {"name": "d", "final": True}], initial="a", send_event=True,
                   transitions=[{"trigger": "go", "source": "a", "dest": "b"},
                                {"trigger": "go", "source": "b", "dest": "c"},
                                {"trigger": "end", "source": "c", "dest": "d",
                                 "conditions": lambda e: e.kwargs.get("n", 0) > 3},
                                {"trigger": "end", "source": "c", "dest": "d"}],
                   auto_transitions=False, queued=True, after_state_change=after,
                   on_exception=lambda e: machine.log.append(("error", str(e.error))),
                   on_final=lambda e: machine.log.append(("final", e.state.name)))
    model = _Model()
    machine.add_model(model)
    fire.machine = machine
    await fire(model, "go", n=1)
    await fire(model, "end", n=3)
    await fire(model, "go", n=5)  # no transition from d: MachineError, handed to on_exception
    return machine.log, model.state


def test_fire_runs_the_same_callbacks_in_the_same_order_as_a_stock_trigger():
    for name in ("_process_async", "cancel_running_transitions"):
        assert hasattr(LeanMachine, name), broke(f"AsyncMachine.{name}")
    assert hasattr(AsyncEvent, "_is_valid_source"), broke("Event._is_valid_source")

    async def stock(model, trigger, **kwargs):
        return await model.trigger(trigger, **kwargs)

    async def fast(model, trigger, **kwargs):
        return await fast.machine.fire(model, trigger, **kwargs)

    expected, got = run_simulated(lambda: _moves(stock), horizon=60), run_simulated(lambda: _moves(fast), horizon=60)
    assert ("error", "c refuses") in expected[0] and expected[1] == "d"
    assert got == expected, broke("the order AsyncEvent._trigger/AsyncTransition.execute run callbacks in")


def test_the_move_table_comes_from_the_machines_events_and_follows_added_transitions():
    machine = _machine()
    assert [t.dest for t, _ in machine.moves()[("a", "to_b")]] == ["b"], \
        broke("Event.transitions (source name → transitions)")
    machine.add_transition("hop", "b", "a")
    assert ("b", "hop") in machine.moves(), broke("Machine.add_transition")


def test_an_adopted_model_has_a_state_and_no_trigger_methods():
    machine, model = _machine(), _Model()
    machine.adopt(model, initial="b")
    assert model in machine.models and model.state == "b" and not hasattr(model, "to_a"), \
        broke("Machine.set_state or Machine.models")
    data = machine.timer_data(machine.get_state("b"), model)
    assert (data.event.name, data.model) == ("timeout", model), broke("EventData or AsyncEvent(name, machine)")


def test_state_callbacks_run_as_the_stock_state_runs_them():
    assert LeanMachine.resolve_callable(len, None) is len, broke("Machine.resolve_callable (a function is changed)")

    class _Stock(ArmedTimeout):  # the stock AsyncState.enter/exit, log lines and all
        async def enter(self, event_data):
            await AsyncState.enter(self, event_data)

        async def exit(self, event_data):
            await AsyncState.exit(self, event_data)

    @add_state_features(_Stock)
    class _StockMachine(LeanMachine):
        pass

    async def main(kind):
        calls = []
        machine = kind(states=[{"name": "a", "on_exit": [lambda e: calls.append("exit a"), "left"]},
                               {"name": "b", "on_enter": [lambda e: calls.append("enter b")]}],
                       initial="a", send_event=True, queued=True, auto_transitions=True)
        model = _Model()
        model.left = lambda e: calls.append("left (by name)")
        machine.add_model(model)
        queue = machine._transition_queue_dict[id(model)]
        await model.to_b()
        await machine.fire(model, "to_a")
        await machine.fire(model, "to_b")
        return calls, queue, machine.async_tasks.get(id(model))

    stock, ours = run_simulated(lambda: main(_StockMachine), horizon=60), run_simulated(lambda: main(_Machine), horizon=60)
    assert stock[0] == ["exit a", "left (by name)", "enter b"] * 2, broke("AsyncState.enter/exit (their callbacks)")
    assert ours[0] == stock[0], broke("AsyncState.enter/exit (the on_enter/on_exit callbacks they run)")
    assert hasattr(ours[1], "popleft"), broke("AsyncMachine._transition_queue_dict (a queue per model)")
    assert not ours[2], broke("AsyncMachine.async_tasks (tasks still listed after a stock trigger ended)")


class _Inline(ArmedTimeout):  # keeps ArmedTimeout's enter and exit, so the machine may run them inline
    def arm(self, event_data):
        event_data.machine.log.append(("arm", self.name, event_data.kwargs.get("n")))

    def disarm(self, model):
        model.log.append(("disarm", self.name))


@add_state_features(_Inline)
class _InlineMachine(LeanMachine):
    def __init__(self, **kwargs):
        self.log = []
        super().__init__(**kwargs)


def test_a_transition_run_inline_calls_what_the_states_enter_and_exit_would():
    """The inline path against a stock trigger (the transition runs each state's enter and exit)."""
    async def stock(model, trigger, **kwargs):
        model.log = stock.machine.log
        return await model.trigger(trigger, **kwargs)

    async def inline(model, trigger, **kwargs):
        machine = inline.machine
        model.log = machine.log
        assert any(isinstance(plan, tuple) for moves in machine.moves().values() for _, plan in moves), \
            broke("how ArmedTimeout states are recognised for the inline path")
        return await machine.fire(model, trigger, **kwargs)

    expected = run_simulated(lambda: _moves(stock, _InlineMachine), horizon=60)
    got = run_simulated(lambda: _moves(inline, _InlineMachine), horizon=60)
    assert ("arm", "b", 1) in expected[0] and ("disarm", "b") in expected[0] and expected[1] == "d"
    assert got == expected, broke("AsyncTransition.execute (exit, state change, enter, after-change) or "
                                  "AsyncState.enter/exit")

def test_fire_next_queues_a_trigger_behind_the_running_transition():
    async def main():
        order = []

        async def entered_b(event):
            order.append("enter b")
            event.machine.fire_next(event.model, "go")
            order.append("queued")

        machine = _Machine(states=["a", {"name": "b", "on_enter": entered_b}, "c"], initial="a", send_event=True,
                           transitions=[{"trigger": "go", "source": "a", "dest": "b"},
                                        {"trigger": "go", "source": "b", "dest": "c"}],
                           auto_transitions=False, queued=True)
        model = _Model()
        machine.adopt(model)
        await machine.fire(model, "go")
        try:
            machine.fire_next(model, "go")
        except Exception as outside:  # no transition under way: refused
            order.append(type(outside).__name__)
        return order, model.state

    assert run_simulated(main, horizon=60) == (["enter b", "queued", "MachineError"], "c"), \
        broke("AsyncMachine._transition_queue_dict (the queue a running transition leaves its successors in)")
