"""Chapter 10, the five dimensions measured: every figure its prose states, recomputed."""

import pytest

from playground import (
    ChangeRequest,
    Duplicate,
    FailCalls,
    FaultPlan,
    Payments,
    check,
    emit,
    end_to_end,
    evolving_orders,
    handles,
    pace,
    reconstruct,
    scorecard,
)

SEED = 7
WORKLOAD = {"orders": 40, "decline_rate": 0.1}
LOAD = {"orders": 40, "rate": 20}
SUITE = {
    "duplicated OrderPlaced": FaultPlan(messages=[Duplicate(type="OrderPlaced", fraction=0.3)]),
    "payments fail after charging": FaultPlan(failures=[FailCalls("payments", nth=(3, 7), after_work=True)]),
    "shipping crashes": FaultPlan(crashes={"shipping": [(10, 15)]}),
}
CHANGES = [
    ChangeRequest("push notifications", "push", {"followers": ("confirm", "push")}, kind="consumer"),
    ChangeRequest("fraud screening before payment", "screening", {"screening": True}, kind="step"),
    ChangeRequest("retire confirmation emails", "email", {"followers": ()}),
]
D1, D2, D3, D4, D5 = ("control & visibility", "coupling & autonomy", "error handling & compensation",
                      "scalability & resilience", "evolution & change")


class RememberingPayments(Payments):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.declined = {}

    @handles("ChargePayment")
    def charge(self, order_id, amount):
        if order_id in self.declined:
            return [emit("PaymentFailed", order_id=order_id, reason=self.declined[order_id])]
        replies = super().charge(order_id, amount)
        if replies[0].type == "PaymentFailed":
            self.declined[order_id] = replies[0].payload["reason"]
        return replies


@pytest.fixture(scope="module")
def card():
    return scorecard(evolving_orders, seed=SEED, workload=WORKLOAD, faults=SUITE, changes=CHANGES, load=LOAD)


def values(card, dimension, name):
    return tuple(round(card.value(dimension, name, w), 2) for w in ("orchestration", "choreography"))


def test_ch10_nineteen_figures_and_four_rows_agree_with_the_article_evolution_is_split(card):
    assert len(card.figures) == 19
    assert card.details["run count"] == 17
    assert [(d, agree) for d, _, _, agree in card.verdicts()] == [(D1, True), (D2, True), (D3, True), (D4, True),
                                                                  (D5, False)]
    assert card.winners()[D5] == "split"


def test_ch10_one_record_from_one_place_against_7_55_from_5_55_components(card):
    assert values(card, D1, "records read per question") == (1, 7.55)
    assert values(card, D1, "components consulted per question") == (1, 5.55)
    runs = card.details["runs"]
    declined = next(o for o, outcome in runs["choreography"].outcomes.items() if outcome == "cancelled")
    answer = reconstruct(runs["choreography"], declined)
    assert (len(answer.steps), len(answer.components)) == (6, 4)
    forgetful = evolving_orders(seed=SEED, faults=FaultPlan(uncorrelated=["invoices"]), **WORKLOAD).run()
    lost = reconstruct(forgetful, declined)
    assert lost.outcome is None and [s.type for s in lost.steps] == ["PlaceOrder", "OrderPlaced"]
    ends = [e for e in forgetful.trace.entries if e.kind == "send" and e.type in ("OrderCompleted", "OrderCancelled")]
    assert len(ends) == len(forgetful.outcomes) == 40


def test_ch10_three_other_team_acts_and_redeploys_orchestrated_one_choreographed(card):
    assert values(card, D2, "other teams involved (3 changes)") == (3, 1)
    assert values(card, D2, "others' components redeployed (3 changes)") == (3, 1)
    screening = card.details[D2]["fraud screening before payment"]
    assert screening["choreography"].foreign_owners() == ["payments"]
    retire = card.details[D2]["retire confirmation emails"]
    assert retire["orchestration"].foreign_owners() == ["orchestrator"]
    assert retire["choreography"].redeploys() == []


def test_ch10_a_step_costs_two_teams_both_ways_a_consumer_one_team_choreographed(card):
    assert values(card, D5, "definitions touched to add a step") == (4, 5)
    assert values(card, D5, "teams involved to add a step") == (2, 2)
    assert values(card, D5, "teams involved to add a consumer") == (2, 1)


def test_ch10_duplicated_orders_break_8_promises_in_the_choreography_and_none_orchestrated(card):
    assert values(card, D3, "invariant violations (3 faults)") == (0, 8)
    assert values(card, D3, "transactions left unfinished (3 faults)") == (0, 0)
    assert values(card, D3, "compensating actions run (3 faults)") == (54, 54)
    for fault in ("payments fail after charging", "shipping crashes"):  # one fault separated them
        assert all(not card.details[D3][fault][w]["violations"] for w in ("orchestration", "choreography"))
    seen = card.details[D3]["duplicated OrderPlaced"]
    assert seen["orchestration"]["violations"] == {}
    assert seen["choreography"]["violations"] == {"paid-without-invoice": 4, "money-conserved": 4}


def test_ch10_the_trace_shows_two_charge_requests_a_decline_then_a_charge():
    duplicated = evolving_orders(seed=SEED, faults=SUITE["duplicated OrderPlaced"], **WORKLOAD).run()
    broken = sorted({v.correlation_id for found in check(duplicated).values() for v in found})
    story = [s.type for s in reconstruct(duplicated, broken[0]).steps]
    assert story.count("InvoiceCreated") == 2
    assert story.index("PaymentFailed") < story.index("PaymentReceived")
    assert story[-1] == "InvoiceNotFound"
    orchestrated = evolving_orders(seed=SEED, wiring="orchestration", faults=SUITE["duplicated OrderPlaced"],
                                   **WORKLOAD).run()
    reasons = [d.reason for d in orchestrated.dead_letters if d.envelope.correlation_id == broken[0]]
    assert reasons == [f"OrderPlaced would start instance {broken[0]} of saga 'order' a second time."]


def test_ch10_remembering_declines_leaves_no_violation_and_28_against_18_compensations():
    fixed = scorecard(evolving_orders, seed=SEED, workload={**WORKLOAD, "payments": RememberingPayments},
                      faults={"duplicated OrderPlaced": SUITE["duplicated OrderPlaced"]}, dimensions=[D3])
    assert values(fixed, D3, "invariant violations (1 fault)") == (0, 0)
    assert values(fixed, D3, "compensating actions run (1 fault)") == (18, 28)
    # The extra ten: each repeated PaymentFailed cancelled an order and its invoice once more.
    run = evolving_orders(seed=SEED, faults=SUITE["duplicated OrderPlaced"], payments=RememberingPayments,
                          **WORKLOAD).run()
    undone = [(e.correlation_id, e.detail["command"]) for e in run.trace.entries
              if e.kind == "end" and e.detail["command"] in ("CancelOrder", "CancelInvoice")]
    repeats = [key for key in set(undone) if undone.count(key) > 1]
    assert len(undone) - len(set(undone)) == 10 == len(repeats)
    assert {command for _, command in repeats} == {"CancelOrder", "CancelInvoice"}
    assert fixed.winners() == {D3: "tie"}
    assert values(fixed, D3, "definitions holding rollback logic") == (1, 2)


def test_ch10_scaling_is_level_with_the_engine_scaled_and_7_87_with_it_at_one(card):
    assert values(card, D4, "throughput gain, 1 → 4 workers") == (3.37, 3.44)
    # Payments (0.1-0.5 s, 0.3 s on average) sets the pace: one worker charges at most about 3.3 orders a second.
    assert all(card.details[D4]["scaling"][w][1][0] < 1 / 0.3 for w in ("orchestration", "choreography"))
    assert values(card, D4, "throughput, 4 workers each") == (10.34, 10.66)
    assert values(card, D4, "p95 latency, 4 workers each") == (2.13, 2.04)
    assert card.figure(D4, "throughput, 4 workers each").winner() == "tie"
    assert round(card.details[D4]["scaling"]["orchestration"]["one engine"][0], 2) == 7.87


def test_ch10_every_critical_service_stops_everything_in_both_wirings_the_orchestrator_is_one_more(card):
    seen = card.details[D4]["availability"]
    assert values(card, D4, "components whose outage stops every transaction") == (5, 4)
    for wiring in ("orchestration", "choreography"):
        shares = seen[wiring]["finished while down"]
        assert all(shares[c] == 0 for c in ("orders", "invoices", "payments", "shipping"))
        assert shares["email"] == 0.5
    # Email's window held two orders, both as fast as with email up.
    window = seen["choreography"]["windows"]["email"]
    plain, down = card.details["runs"]["choreography"], seen["choreography"]["run"]
    first = {}
    for e in plain.trace.entries:
        if e.kind == "send" and e.correlation_id in plain.outcomes:
            first.setdefault(e.correlation_id, e.time)
    inside = [c for c, t in first.items() if window[0] <= t < window[1]]
    assert len(inside) == 2
    assert all(end_to_end(plain)[c] == end_to_end(down)[c] for c in inside)


def test_ch10_your_turn_answer_0_012_reaches_10_31_and_0_015_only_9_43(card):
    every = {c: 4 for c in evolving_orders(wiring="orchestration").components()}
    rates = {}
    for cost in (0.012, 0.015):
        run = evolving_orders(wiring="orchestration", seed=SEED, faults=FaultPlan(latency={"orchestrator": cost}),
                              **{**WORKLOAD, **LOAD}).with_workers({**every, "orchestrator": 1}).run()
        rates[cost] = round(pace(run)[0], 2)
    assert rates == {0.012: 10.31, 0.015: 9.43}
    taken = [e.correlation_id for e in run.trace.entries if e.kind == "deliver" and e.at == "orchestrator"]
    completed = [o for o, outcome in run.outcomes.items() if outcome == "completed"]
    assert all(taken.count(o) == 7 for o in completed)  # the start and one reply for each later step
    target = card.value(D4, "throughput, 4 workers each", "choreography")
    assert rates[0.012] >= 0.95 * target > rates[0.015]


def test_ch10_exercise_answers():
    calm = {k: v for k, v in SUITE.items() if k != "duplicated OrderPlaced"}
    assert scorecard(evolving_orders, seed=SEED, workload=WORKLOAD, faults=calm, dimensions=[D3]).winners() == {
        D3: "tie"}
    reports = ChangeRequest("reports", "reports", {"followers": ("confirm", "report")}, kind="consumer")
    priced = scorecard(evolving_orders, seed=SEED, workload=WORKLOAD, changes=[reports], dimensions=[D2, D5])
    assert priced.winners() == {D2: "choreography", D5: "choreography"}
    free = scorecard(evolving_orders, seed=SEED, workload=WORKLOAD, load=LOAD, decision_cost=0, dimensions=[D4])
    assert free.figure(D4, "throughput, 4 workers, engine at 1").winner() == "tie"
    assert free.winners() == {D4: "choreography"}
