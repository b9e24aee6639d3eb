from playground.design.faults import fault_suite
from playground.design.measure import (measure_prototype, same_as_recommended, standard_changes, with_consumer,
                                       with_step)
from playground.design.prototype import prototype


def test_the_changes_add_a_consumer_at_the_end_and_a_step_in_the_middle(specs):
    spec = specs["checkout"]
    consumer, step = (c.after["spec"] for c in standard_changes(spec))
    assert consumer.interactions[-1].after == "checkout" and consumer.capabilities[-1].name == "newcomer"
    assert [s.name for s in step.entry.steps] == ["place", "reserve", "check_screening", "charge"]
    # A name already taken gets a number.
    assert with_consumer(with_consumer(spec)).capabilities[-1].name == "newcomer_2"
    assert with_step(specs["ping"]).entry.steps[0].name == "check_screening"


def test_a_measurement_scores_both_wirings_and_tables_the_guarantees(specs):
    found = measure_prototype(specs["checkout"], instances=20, seed=1,
                              dimensions=("control & visibility", "evolution & change"), workers=(1,))
    card = found.card
    assert card.winners()["control & visibility"] == "orchestration"
    assert card.value("evolution & change", "teams involved to add a consumer", "choreography") == 1
    assert card.value("evolution & change", "teams involved to add a consumer", "orchestration") == 2
    assert list(found.guarantees) == list(found.suite)
    outage = found.broken("outage")
    assert outage["choreography"]["all-or-nothing"] == 0 and outage["choreography"]["deadline"] > 0
    assert outage["orchestration"]["all-or-nothing"] > 0 and outage["orchestration"]["deadline"] == 0
    assert outage["recommended"] == outage["orchestration"]     # the checkout is orchestrated in both
    assert found.total("orchestration") == sum(sum(by["orchestration"].values()) for by in found.guarantees.values())
    assert found.table().splitlines()[0].split() == ["fault", "orchestration", "choreography", "recommended"]


def test_a_recommended_wiring_that_is_a_pure_one_repeats_its_runs_trace_for_trace(specs):
    pipeline = specs["pipeline"]
    assert same_as_recommended(pipeline) == "choreography"
    assert same_as_recommended(specs["checkout"]) is None  # a hybrid runs on its own
    for plan in fault_suite(pipeline, instances=12, rate=prototype(pipeline).rate).values():
        pure, picked = (prototype(pipeline, wiring=w, instances=12, seed=4, faults=plan).run()
                        for w in ("choreography", "recommended"))
        assert picked.trace.digest() == pure.trace.digest()


def test_above_the_sample_the_runs_under_faults_and_load_take_the_first_instances_and_say_so(specs):
    found = measure_prototype(specs["ping"], instances=30, seed=2, sample=12,
                              dimensions=("control & visibility", "scalability & resilience"), workers=(1, 2))
    assert (found.instances, found.sampled) == (30, 12)
    assert found.card.details["control & visibility"]["orchestration"]["questions"] == 30
    seen = found.card.details["error handling & compensation"]
    assert all(sum(seen[f][w]["outcomes"].values()) == 12 for f in found.suite for w in ("orchestration",
                                                                                        "choreography"))
    assert repr(found.suite) == repr(fault_suite(specs["ping"], instances=12, rate=prototype(specs["ping"]).rate))
    note = "each run took the first 12 of the 30 instances (same arrivals); the plain runs took them all"
    assert note in found.card.notes[0] and note in str(found.card)
    assert "guarantees broken under the standard fault suite (first 12 of 30 instances)" in str(found)
    # Nothing in the ping asks for a coordinator: its recommended column repeats the choreography's runs, and says so.
    assert found.recommended_as == "choreography" and str(found).endswith(found.recommended_note())
    assert all(by["recommended"] == by["choreography"] for by in found.guarantees.values())
    small = measure_prototype(specs["ping"], instances=12, seed=2, dimensions=(), sample=12)
    assert small.card.notes == [] and small.guarantees == found.guarantees  # the same runs under faults
