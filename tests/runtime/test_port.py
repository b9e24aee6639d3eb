"""Both buses offer everything a workflow engine may ask of a bus, with the same calls."""

import inspect

from playground.kafka.bus import KafkaBus
from playground.runtime.port import WorkflowBus, missing
from playground.transport.bus import Bus


def test_the_in_memory_and_the_kafka_bus_both_offer_the_workflow_interface():
    assert missing(Bus) == [] and missing(KafkaBus) == []
    assert isinstance(Bus(), WorkflowBus) and isinstance(KafkaBus("kafka://127.0.0.1:1"), WorkflowBus)
    # fail(exc) first on both: an engine stopping a run from a timer need not know which bus it is on.
    for bus in (Bus, KafkaBus):
        assert list(inspect.signature(bus.fail).parameters)[1] == "exc"


def test_a_broker_bus_reaches_services_in_other_processes_and_the_in_memory_bus_only_its_own():
    bus = Bus()
    bus.add_inbox("payments", lambda e: None)
    assert bus.reaches("payments") and not bus.reaches("shipping")
    assert KafkaBus("kafka://127.0.0.1:1").reaches("shipping")
