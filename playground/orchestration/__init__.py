"""Orchestration: sagas as data, run by a `transitions` state machine on the same bus as the choreography.

A notebook needs only a few names from here:

>>> from playground.orchestration import SagaDefinition, Step, Retry, Parallel, Approval
>>> saga = SagaDefinition("trip", [Step("flight", "ReserveFlight", "CancelFlight", timeout=5),
...                                Parallel(Step("hotel", "ReserveHotel", "CancelHotel"),
...                                         Step("car", "ReserveCar", "CancelCar"))], started_by="BookTrip")
>>> saga.stage_names
['flight', 'hotel_and_car']
"""

from playground.orchestration.host import OrchestratorHost, crash_windows
from playground.orchestration.orchestrator import Orchestrator
from playground.orchestration.saga import Approval, Parallel, Retry, SagaDefinition, Step
from playground.orchestration.store import MemoryStore, SqliteStore, open_store
from playground.orchestration.view import Diagram, InstanceTable, diagram


def dashboard(result) -> InstanceTable:
    """The god's-eye view of an orchestrated run: one row per instance, as the orchestrator last saved it."""
    host = result.extras.get("orchestrator")
    if host is None:
        from playground.errors import PlaygroundError

        raise PlaygroundError(f"This {result.wiring} run has no orchestrator to ask; only orchestrated runs have "
                              "a dashboard (the choreography's state is spread over the services).")
    return host.table()


__all__ = ["Approval", "Diagram", "InstanceTable", "MemoryStore", "Orchestrator", "OrchestratorHost", "Parallel",
           "Retry", "SagaDefinition", "SqliteStore", "Step", "crash_windows", "dashboard", "diagram", "open_store"]
