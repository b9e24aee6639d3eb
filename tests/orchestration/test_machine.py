import asyncio

from transitions.extensions.asyncio import AsyncMachine, AsyncTimeout
from transitions.extensions.states import add_state_features

from playground.orchestration.machine import SagaMachine, machine_spec
from playground.orchestration.saga import Approval, Parallel, Retry, SagaDefinition, Step
from playground.runtime.clock import run_simulated
from playground.scenarios import travel_booking


def test_the_stock_async_timeout_fires_at_exact_simulated_times_on_the_virtual_loop():
    @add_state_features(AsyncTimeout)
    class Machine(AsyncMachine):
        pass

    class Model:
        fired: list = []

    async def main():
        loop = asyncio.get_running_loop()
        model = Model()
        Machine(model=model, states=["idle", {"name": "waiting", "timeout": 2.5, "on_timeout": "gave_up"}],
                initial="idle", queued=True)
        model.gave_up = lambda: model.fired.append(loop.time())
        await asyncio.sleep(0.1)
        await model.to_waiting()
        await asyncio.sleep(10)
        await model.to_waiting()  # entering again starts a fresh timer
        await asyncio.sleep(10)
        await model.to_waiting()
        await asyncio.sleep(1.0)
        await model.to_idle()  # leaving the state cancels it
        await asyncio.sleep(10)
        return model.fired

    assert run_simulated(main, horizon=100) == [0.1 + 2.5, 10.1 + 2.5]


def test_each_stage_can_finish_fail_time_out_and_retry_as_its_steps_allow():
    saga = SagaDefinition("trip", [
        Step("flight", "ReserveFlight", "CancelFlight", timeout=5, retry=Retry(count=2)),
        Parallel(Step("hotel", "ReserveHotel", "CancelHotel"), Step("car", "ReserveCar", "CancelCar")),
        Approval("manager", timeout=60, escalation=30),
    ], started_by="BookTrip")
    states, transitions = machine_spec(saga)
    edges = {(t["trigger"], t["source"], t["dest"]) for t in transitions}
    assert [s["name"] for s in states if s.get("final")] == ["completed", "compensated", "stuck"]
    assert {("start", "new", "flight"), ("done", "flight", "hotel_and_car"), ("time_out", "flight", "compensating"),
            ("retry", "flight", "flight"), ("done", "hotel_and_car", "manager"), ("fail", "hotel_and_car", "compensating"),
            ("escalate", "manager", "manager_escalated"), ("time_out", "manager_escalated", "compensating"),
            ("done", "manager_escalated", "completed"), ("undone", "compensating", "compensated"),
            ("give_up", "compensating", "stuck")} <= edges
    assert ("time_out", "hotel_and_car", "compensating") not in edges  # neither step has a timeout
    assert ("retry", "hotel_and_car", "hotel_and_car") not in edges


def test_one_machine_serves_every_instance_of_a_saga():
    result = travel_booking(trips=25, seed=4, fail={"car": 0.3}).run()
    orchestrator = result.extras["orchestrator"].current
    (machine,) = orchestrator.machines.values()
    assert isinstance(machine, SagaMachine)
    assert len(machine.models) == 25
    assert {m.state for m in machine.models} == {"completed", "compensated"}
    assert all(not state.runner for state in machine.states.values())  # no timer left behind
