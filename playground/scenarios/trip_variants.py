"""Travel booking with your own car step or car service, everything else as shipped.

``car_step=`` replaces the saga's car step (its compensation, timeout...),
``cars=`` replaces the car rental service, and ``approval=`` adds a person's
approval after the car — the step whose rejection makes the orchestrator undo
every reservation, car included.

>>> from playground.orchestration import Approval, Step
>>> no_undo = Step("car", "ReserveCar", compensation_required=False)
>>> result = trip_with(car_step=no_undo, approval=Approval("manager", timeout=900), approve=0.0,
...                    trips=3, seed=1).run()
>>> sorted(result.services["cars"].held())
['trip-0001', 'trip-0002', 'trip-0003']
"""

from __future__ import annotations

from typing import Any

from playground.errors import ScenarioError
from playground.orchestration.saga import Approval, SagaDefinition, Step
from playground.runtime.randomness import Randomness
from playground.scenarios.travel import TravelBooking, travel_saga
from playground.services.base import Service
from playground.scenarios.base import builds


def trip_saga_with(car_step: Step | None = None, *, approval: Approval | None = None,
                   timeout: float | None = None) -> SagaDefinition:
    """The shipped trip saga (flight → hotel → car), with ``car_step`` in place of its car step."""
    shipped = travel_saga(timeout=timeout, approval=approval)
    if car_step is None:
        return shipped
    if not isinstance(car_step, Step) or car_step.action != "ReserveCar":
        raise ScenarioError(f"The car step must be a Step(...) whose action is 'ReserveCar', not {car_step!r}.")
    stages = [car_step if stage.name == "car" else stage for stage in shipped.stages]
    return SagaDefinition(shipped.name, stages, started_by=shipped.started_by,
                          compensation_retry=shipped.compensation_retry)


class TripVariant(TravelBooking):
    """:class:`TravelBooking` with another car step and/or car service.

    Args:
        car_step: the saga's car step; None keeps the shipped one.
        cars: a Service class named ``"cars"`` that handles ReserveCar and CancelCar.
        approval, timeout: as for :func:`~playground.scenarios.travel.travel_saga`.
        **params: everything :class:`TravelBooking` takes except ``saga``.
    """

    name = "travel booking, your way"

    def __init__(self, *, car_step: Step | None = None, cars: type[Service] | None = None,
                 approval: Approval | None = None, timeout: float | None = None, **params: Any):
        super().__init__(saga=trip_saga_with(car_step, approval=approval, timeout=timeout), **params)
        if cars is not None:
            if not (isinstance(cars, type) and issubclass(cars, Service)) or cars.name != "cars":
                raise ScenarioError(f"cars must be a Service class named 'cars', not {cars!r}.")
            missing = {"ReserveCar", "CancelCar"} - set(cars.commands)
            if missing:
                raise ScenarioError(f"{cars.__name__} does not handle {', '.join(sorted(missing))}; a car service "
                                    "must reserve and cancel.")
        self.cars = cars

    def build_services(self, randomness: Randomness) -> dict[str, Service]:
        services = super().build_services(randomness)
        if self.cars is not None:
            services["cars"] = self.cars(latency=services["cars"].latency)
        return services


@builds(TripVariant)
def trip_with(**params: Any) -> TripVariant:
    """Travel booking with your car step or car service; call ``.run()``. See :class:`TripVariant`."""
    return TripVariant(**params)
