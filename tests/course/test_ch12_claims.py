"""Chapter 12's claims, recomputed on the runs the chapter shows (seed 12, forty instances per run)."""

import copy
from pathlib import Path

import pytest

from playground.design.faults import fault_suite
from playground.design.guarantees import broken_guarantees
from playground.design.measure import SAMPLE, measure_prototype
from playground.design.prototype import prototype
from playground.design.recommend import define_guarantees, recommend
from playground.design.spec import load_spec
from playground.design.workbook import workbook

SEED = 12
SPECS = Path(__file__).resolve().parents[2] / "course" / "specs"
ERRORS = ["error handling & compensation"]
NOTHING = {"all-or-nothing": 0, "ordering": 0, "deadline": 0, "audit": 0}


def _spec(name):
    return load_spec(SPECS / f"{name}.json")


@pytest.fixture(scope="module")
def checkout():
    return _spec("checkout")


@pytest.fixture(scope="module")
def measured(checkout):
    return measure_prototype(checkout, seed=SEED)


@pytest.fixture(scope="module")
def loan_measured():
    return measure_prototype(_spec("loan"), seed=SEED)


@pytest.fixture(scope="module")
def pipeline_measured():
    return measure_prototype(_spec("pipeline"), seed=SEED)


def test_ch12_the_checkout_has_six_capabilities_and_three_interactions_and_a_hybrid_answer(checkout):
    assert (len(checkout.capabilities), len(checkout.interactions)) == (6, 3)
    advice = recommend(checkout)
    assert advice.patterns() == {"checkout": "orchestrate", "fulfilment": "choreograph", "receipt": "choreograph"}
    assert advice.overall == "hybrid"
    reasons = [r.text for r in advice.choice("checkout").reasons]
    assert reasons[0].startswith("all-or-nothing over 3 steps, 2 of them undoable")
    assert reasons[1].startswith("an answer within 5 s")
    assert "its steps belong to 3 teams" in reasons[2]
    assert define_guarantees(checkout)[1] == []


def test_ch12_the_outage_takes_payments_down_for_twice_the_deadline(checkout):
    suite = fault_suite(checkout, instances=40, rate=prototype(checkout).rate)
    ((start, end),) = suite["outage"].outages["payments"]
    assert end - start == pytest.approx(10.0) == pytest.approx(2 * checkout.entry.deadline)
    assert start == pytest.approx(26.67, abs=0.01)


def test_ch12_under_the_suite_each_pure_wiring_breaks_a_different_promise(measured):
    g = measured.guarantees
    assert g["outage"]["orchestration"] == {**NOTHING, "all-or-nothing": 4}
    assert g["outage"]["choreography"] == {**NOTHING, "deadline": 4}
    assert g["outage"]["recommended"] == g["outage"]["orchestration"]
    assert g["lost reply"]["orchestration"] == NOTHING
    assert g["lost reply"]["choreography"] == {**NOTHING, "all-or-nothing": 1, "deadline": 1, "audit": 1}
    for fault in ("duplicated deliveries", "failure after work", "crash"):
        assert all(counts == NOTHING for counts in g[fault].values()), fault


def test_ch12_the_checkout_scorecard_reads_as_the_chapter_says(measured):
    card = measured.card
    value = card.value
    assert card.winners() == {"control & visibility": "orchestration", "coupling & autonomy": "tie",
                              "error handling & compensation": "orchestration",
                              "scalability & resilience": "split", "evolution & change": "split"}
    assert value("control & visibility", "records read per question", "orchestration") == 1
    assert round(value("control & visibility", "records read per question", "choreography"), 2) == 9.62
    assert [value("coupling & autonomy", "other teams involved (2 changes)", w)
            for w in ("orchestration", "choreography")] == [2, 2]
    assert value("error handling & compensation", "invariant violations (5 faults)", "orchestration") == 4
    assert value("error handling & compensation", "invariant violations (5 faults)", "choreography") == 8
    assert value("error handling & compensation", "transactions left unfinished (5 faults)", "orchestration") == 0
    assert value("error handling & compensation", "transactions left unfinished (5 faults)", "choreography") == 1
    s = "scalability & resilience"
    assert round(value(s, "throughput, 4 workers each", "orchestration"), 2) == 4.20
    assert round(value(s, "throughput, 4 workers each", "choreography"), 2) == 4.11
    assert round(value(s, "p95 latency, 4 workers each", "orchestration"), 2) == 1.76
    assert round(value(s, "p95 latency, 4 workers each", "choreography"), 2) == 1.14
    assert round(value(s, "finished while a component is down (mean)", "orchestration"), 2) == 0.69
    assert round(value(s, "finished while a component is down (mean)", "choreography"), 2) == 0.50
    e = "evolution & change"
    assert (value(e, "teams involved to add a consumer", "choreography"),
            value(e, "teams involved to add a consumer", "orchestration")) == (1, 2)
    assert (value(e, "teams involved to add a step", "choreography"),
            value(e, "teams involved to add a step", "orchestration")) == (3, 2)


def test_ch12_the_measurement_is_26_runs_and_above_40_instances_the_faults_take_the_first_40(checkout, measured):
    assert SAMPLE == 40 and measured.runs == 26 and measured.sampled == measured.instances == 40
    assert measured.card.notes == [] and measured.recommended_as is None  # the checkout's hybrid runs on its own
    assert measured.card.details["run count"] == 2 + 2 * 5 + (4 + 3) + 2  # plain, suite, scaling, outage round
    bigger = measure_prototype(checkout, seed=SEED, instances=120,
                               dimensions=["control & visibility", "error handling & compensation"])
    assert bigger.card.notes == ["under faults, each run took the first 40 of the 120 instances (same arrivals); "
                                 "the plain runs took them all"]
    assert bigger.card.details["control & visibility"]["choreography"]["questions"] == 120
    assert bigger.table() == measured.table()


def test_ch12_the_trace_shows_the_charge_taken_after_the_saga_gave_up(checkout, measured):
    run = prototype(checkout, wiring="recommended", seed=SEED, faults=measured.suite["outage"]).run()
    broken = broken_guarantees(checkout, run)["all-or-nothing"]
    assert len(broken) == 4
    case = broken[0].correlation_id
    assert case == "checkout-0015"
    assert broken[0].message == ("checkout-0015: checkout left charge in effect but not place, reserve; undo what "
                                 "stands or finish the rest.")
    entries = [e for e in run.trace.entries if e.correlation_id == case]
    sent = lambda type_: [e.time for e in entries if e.kind == "send" and e.type == type_]  # noqa: E731
    (asked,) = sent("CheckoutRequested")
    reserved = next(e.time for e in entries if e.kind == "effect" and e.detail["effect"] == "reserve")
    assert round(reserved - asked, 1) == 0.2
    assert [round(t, 2) for t in sent("Charge")] == [26.79, 28.22]
    gave_up = next(e for e in entries if e.kind == "step" and e.detail["outcome"] == "failed")
    assert round(gave_up.time, 2) == 29.64
    (cancelled,) = sent("CheckoutCancelled")
    assert round(cancelled, 2) == 29.85 and round(cancelled - asked, 1) == 3.3
    charged = next(e.time for e in entries if e.kind == "effect" and e.detail["effect"] == "charge")
    assert round(charged, 2) == 37.14
    saga = prototype(checkout, wiring="recommended").definitions()["sagas"][0]
    assert round(saga.steps["charge"].timeout, 2) == 1.42
    letter = next(d for d in run.dead_letters if d.envelope.correlation_id == case)
    assert letter.envelope.type == "ChargeDone" and "so whatever it did stands" in letter.reason


def test_ch12_an_undo_for_the_charge_keeps_all_or_nothing_under_the_outage(checkout):
    book = workbook(checkout, seed=SEED)
    book.set("interactions[0].steps[2].undo", "refund the card")
    g = measure_prototype(book.spec, seed=SEED, dimensions=ERRORS).guarantees
    assert g["outage"]["orchestration"] == g["outage"]["recommended"] == NOTHING
    assert g["outage"]["choreography"]["deadline"] == 4
    assert g["lost reply"]["choreography"] == {**NOTHING, "all-or-nothing": 1, "deadline": 1, "audit": 1}
    assert repr(book) == "Workbook('checkout': 6 capabilities, 3 interactions, hybrid)"


def test_ch12_the_loan_is_a_hybrid_kept_whole_by_its_saga(loan_measured):
    advice = recommend(loan_measured.spec)
    assert advice.patterns() == {"application": "orchestrate", "welcome": "choreograph", "regret": "choreograph"}
    assert sum(r.pulls == "orchestrate" and not r.field.endswith("steps")
               for r in advice.choice("application").reasons) == 3
    g = loan_measured.guarantees
    assert all(not any(by["recommended"].values()) for by in g.values())
    assert g["outage"]["choreography"]["deadline"] == 1
    assert g["duplicated deliveries"]["choreography"]["deadline"] == 1
    assert g["lost reply"]["choreography"] == {"all-or-nothing": 1, "deadline": 1, "human decision": 0, "audit": 1}
    rate = loan_measured.card.value("scalability & resilience", "throughput, 4 workers each", "orchestration")
    assert round(rate, 6) == 0.000495 and round(rate * 3600, 1) == 1.8
    assert loan_measured.card.winners()["scalability & resilience"] == "orchestration"


def test_ch12_the_pipeline_is_choreographed_and_the_orchestration_breaks_its_ordering(pipeline_measured):
    assert set(recommend(pipeline_measured.spec).patterns().values()) == {"choreograph"}
    g = pipeline_measured.guarantees
    assert g["outage"]["orchestration"] == {"ordering": 2, "audit": 0}
    assert g["lost reply"]["choreography"] == g["lost reply"]["recommended"] == {"ordering": 0, "audit": 1}
    assert pipeline_measured.recommended_as == "choreography"  # its column repeats the choreography's runs


def test_ch12_three_domains_three_rows_alike(measured, loan_measured, pipeline_measured):
    winners = [m.card.winners() for m in (measured, loan_measured, pipeline_measured)]
    for row, want in (("control & visibility", "orchestration"), ("error handling & compensation", "orchestration"),
                      ("coupling & autonomy", "tie"), ("evolution & change", "split")):
        assert {w[row] for w in winners} == {want}
    assert [w["scalability & resilience"] for w in winners] == ["split", "orchestration", "split"]


TRIP = {
    "name": "trip",
    "capabilities": [{"name": "flights", "team": "air", "latency": 1.0},
                     {"name": "hotels", "team": "stays", "latency": 0.5, "fails": 0.1},
                     {"name": "cars", "team": "ground", "latency": 2.0, "fails": 0.1},
                     {"name": "mail", "team": "customer care", "latency": 0.2}],
    "interactions": [{"name": "booking", "trigger": "command", "guarantees": [],
                      "steps": [{"name": "book_flight", "capability": "flights", "undo": "cancel the ticket"},
                                {"name": "book_hotel", "capability": "hotels"},
                                {"name": "rent_car", "capability": "cars"}]},
                     {"name": "itinerary", "trigger": "event", "after": "booking",
                      "steps": [{"name": "send_itinerary", "capability": "mail"}]}],
}


def _trip_broken(trip):
    spec = load_spec(trip)
    faults = fault_suite(spec, instances=30, rate=prototype(spec).rate)
    return {name: broken_guarantees(spec, prototype(spec, wiring="recommended", instances=30, seed=SEED,
                                                    faults=faults[name]).run())["all-or-nothing"]
            for name in ("outage", "lost reply")}


def test_ch12_your_turn_needs_the_guarantees_and_an_undo_for_every_step():
    promised = copy.deepcopy(TRIP)
    promised["interactions"][0].update(guarantees=["all-or-nothing", "deadline"], deadline=30)
    (finding,) = define_guarantees(load_spec(promised))[1]
    assert finding.field == "interactions[0].steps[1].undo"
    hotel = copy.deepcopy(promised)
    hotel["interactions"][0]["steps"][1]["undo"] = "cancel the room"
    assert _trip_broken(hotel)["outage"]  # the cars' outage: the late rental stands
    answer = copy.deepcopy(hotel)
    answer["interactions"][0]["steps"][2]["undo"] = "cancel the rental"
    assert recommend(load_spec(answer)).patterns()["booking"] == "orchestrate"
    assert _trip_broken(answer) == {"outage": [], "lost reply": []}


def test_ch12_exercise_answers(checkout):
    without = workbook(checkout, seed=SEED)
    without.set("interactions[0].deadline", None).set("interactions[0].guarantees", ["all-or-nothing", "audit"])
    assert without.problem is None and without.recommendation.patterns()["checkout"] == "orchestrate"
    ((start, end),) = fault_suite(without.spec, instances=40, rate=prototype(without.spec).rate)["outage"].outages[
        "payments"]
    assert end - start == pytest.approx(16.0)
    assert prototype(without.spec).definitions()["sagas"][0].steps["charge"].timeout == 4.0
    g = measure_prototype(without.spec, seed=SEED, dimensions=ERRORS).guarantees
    assert g["outage"]["orchestration"]["all-or-nothing"] == 2
    assert not any(g["outage"]["choreography"].values())
    assert g["lost reply"]["choreography"] == {"all-or-nothing": 1, "ordering": 0, "audit": 1}

    sloppy = workbook(checkout, seed=SEED).set("capabilities[1].idempotent", False)
    g = measure_prototype(sloppy.spec, seed=SEED, dimensions=ERRORS).guarantees
    assert {w: g["failure after work"][w]["all-or-nothing"] for w in g["crash"]} == {
        "orchestration": 1, "choreography": 1, "recommended": 1}
    assert [g["duplicated deliveries"][w]["all-or-nothing"] for w in ("orchestration", "choreography",
                                                                       "recommended")] == [3, 9, 5]
    assert g["lost reply"]["orchestration"]["all-or-nothing"] == 1
    run = prototype(sloppy.spec, wiring="orchestration", seed=SEED,
                    faults=fault_suite(sloppy.spec, instances=40, rate=prototype(checkout).rate)["lost reply"]).run()
    assert "took effect 2 times" in broken_guarantees(sloppy.spec, run)["all-or-nothing"][0].message

    loan = workbook(_spec("loan")).set("interactions[0].steps[2].undo", None)
    (finding,) = define_guarantees(loan.spec)[1]
    assert finding.text == ("'decide' cannot be undone, yet 'open_account' after it can fail, so application cannot "
                            "be all-or-nothing; move 'decide' last or say how to undo it.")
