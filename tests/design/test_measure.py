from playground.design.measure import measure_prototype, standard_changes, with_consumer, with_step


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
