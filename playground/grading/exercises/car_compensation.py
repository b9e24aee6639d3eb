"""Exercise 04 · the travel saga undoes the car too, and undoing twice changes nothing.

The learner writes ``CAR_STEP`` (the car step with its compensation) and
``IdempotentCars`` (a car rental whose cancellation is idempotent). Every
trip in the checks is turned down by the approving manager after the car is
reserved, so the orchestrator must undo car, hotel and flight, newest first;
the compensations-mirror-forward-steps and effects-at-most-once invariants
judge the trace, and cancellations are duplicated and redelivered (at rates
and calls drawn at grading time, on trips the notebook never showed) to
prove a repeat releases nothing.
"""

from __future__ import annotations

from typing import Any, Mapping

from playground.analysis.invariants import compensations_mirror_forward_steps, effects_at_most_once
from playground.grading.causes import parked_by_orchestrator, verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch, watched
from playground.grading.unseen import Unseen, on, split
from playground.orchestration import Approval, Step
from playground.runtime.faults import Duplicate, FailCalls, FaultPlan
from playground.scenarios.trip_variants import trip_with
from playground.services.naive_cars import ForgetfulCars

STEP, SERVICE = "CAR_STEP", "IdempotentCars"
#: Every trip is turned down after the car is reserved: everything must be undone.
REJECTED = {"approval": Approval("manager", timeout=900), "approve": 0.0}
#: Trips the notebook never showed, and compensations that arrive twice at drawn rates: duplicated on the
#: bus, or redelivered after a crash before the ack.
UNSEEN = Unseen(runs=2, trips=(15, 30), avoid_seeds={4}, twice=(0.3, 0.7), first_crash=(1, 4))
UNDOABLE = ("flight", "hotel", "car")


def _repeats(knobs: dict) -> FaultPlan:
    crash = knobs["first_crash"]
    return FaultPlan(messages=[Duplicate(type="CancelCar", inbox="cars", fraction=knobs["twice"])],
                     failures=[FailCalls("cars", type="CancelCar", after_work=True, nth=(crash, crash + 3))])


def _releases(result) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in result.trace.where(kind="effect", at="cars"):
        if e.detail.get("effect") == "release":
            counts[e.detail.get("key")] = counts.get(e.detail.get("key"), 0) + 1
    return counts


def car_is_compensated(ns: Mapping[str, Any]) -> None:
    step = fetch(ns, STEP, what="Step")
    if not isinstance(step, Step):
        raise Failed(f"`{STEP}` should be Step(\"car\", \"ReserveCar\", ...), not {type(step).__name__}")
    for workload in UNSEEN.draw():
        params = split(workload, "twice", "first_crash")[1]
        with on(params):
            _car_is_compensated(trip_with(car_step=step, **REJECTED, **params).run())


def _car_is_compensated(result) -> None:
    verdict_on_run(result, expected=parked_by_orchestrator)
    for violation in compensations_mirror_forward_steps(result, compensable=UNDOABLE):
        if "without undoing completed step(s) 'car'" in violation.message:
            raise Failed(f"{violation.correlation_id} was turned down after its car was reserved, but the car was "
                         "never cancelled and stays held; give the car step its compensation: "
                         "Step(\"car\", \"ReserveCar\", \"CancelCar\", ...)")
        raise Failed(violation.message)
    held = sorted(result.services["cars"].held())
    if held:
        raise Failed(f"{held[0]} was turned down but its car is still held; the car step's compensation must "
                     "cancel the car")


def _repeated(ns: Mapping[str, Any], judge) -> None:
    """Judge the learner's car service on every drawn workload, with repeated cancellations."""
    cls = fetch(ns, SERVICE, what="class", base=ForgetfulCars)
    cls()  # an unfinished __init__ is the first thing to report
    for workload in UNSEEN.draw():
        knobs, params = split(workload, "twice", "first_crash")
        with on(workload):
            probe = watched(cls)
            result = trip_with(cars=probe, timeout=30, faults=_repeats(knobs), **REJECTED, **params).run()
            verdict_on_run(result, service="cars", probe=probe, expected=parked_by_orchestrator)
            judge(result)


def cancel_is_idempotent(ns: Mapping[str, Any]) -> None:
    _repeated(ns, _released_once)


def _released_once(result) -> None:
    twice = [v for v in effects_at_most_once(result) if v.message.startswith("cars did 'release'")]
    if twice:
        trip = twice[0].correlation_id
        raise Failed(f"{trip}'s car was released {_releases(result)[trip]} times when CancelCar reached the car "
                     "service again (a duplicate, or a redelivery after a crash before the acknowledgement); "
                     "release a held car once, and let a repeat release nothing")
    never = sorted(t for t in result.outcomes if t not in _releases(result))
    if never:
        raise Failed(f"{never[0]} was turned down but its car was never released; the first CancelCar must "
                     "release the car, only repeats change nothing")


def repeat_still_answers(ns: Mapping[str, Any]) -> None:
    _repeated(ns, _answered)


def _answered(result) -> None:
    unfinished = sorted(t for t, state in result.outcomes.items() if state != "compensated")
    if unfinished:
        trip = unfinished[0]
        raise Failed(f"{trip} ended {result.outcomes[trip]} instead of compensated: when a CancelCar came back, "
                     "your service answered nothing, so the orchestrator never heard the car was released; "
                     "answer a repeat with CarCancelled, as the first time")


EXERCISE = Exercise("04_car_compensation", "Undo the car, once", [
    Check("car_is_compensated", "a trip turned down gets its car cancelled, newest step first", 4,
          car_is_compensated),
    Check("cancel_is_idempotent", "a repeated cancellation releases the car only once", 3, cancel_is_idempotent),
    Check("repeat_still_answers", "a repeated cancellation still answers CarCancelled", 3, repeat_still_answers),
])
