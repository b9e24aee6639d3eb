"""Canaries for the transitions internals in playground/compat/transitions.py: each fails in one sentence naming the release."""

from importlib.metadata import version

from transitions.extensions.asyncio import AsyncState, AsyncTimeout
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
