"""The five-dimension scorecard: each experiment measures what it says, for any scenario with two wirings."""

import pytest

from playground.analysis.dimensions import ChangeRequest
from playground.analysis.experiments import scorecard
from playground.errors import PlaygroundError
from playground.runtime.fault_rules import Drop, Duplicate
from playground.runtime.faults import FaultPlan
from playground.scenarios.evolving import evolving_orders
from playground.scenarios.pipeline import data_pipeline

PUSH = ChangeRequest("push notifications", "push", {"followers": ("confirm", "push")}, "consumer")
SCREEN = ChangeRequest("fraud screening", "screening", {"screening": True}, "step")


def test_the_orchestrator_answers_where_an_order_is_from_one_record_the_choreography_from_many():
    card = scorecard(evolving_orders, seed=2, workload={"orders": 10}, dimensions=["control & visibility"])
    assert card.value("control & visibility", "records read per question", "orchestration") == 1
    assert card.value("control & visibility", "records read per question", "choreography") >= 7
    assert card.winners() == {"control & visibility": "orchestration"}


def test_a_new_consumer_needs_the_orchestrators_team_only_when_orchestrated():
    card = scorecard(evolving_orders, workload={"orders": 5}, changes=[PUSH, SCREEN],
                     dimensions=["coupling & autonomy", "evolution & change"])
    assert card.figure("evolution & change", "teams involved to add a consumer").values == {
        "orchestration": 2, "choreography": 1}
    # Inserting a step in the middle costs a team either way: the orchestrator's, or the consumer downstream.
    assert card.figure("evolution & change", "teams involved to add a step").values == {
        "orchestration": 2, "choreography": 2}
    changes = card.details["coupling & autonomy"]["fraud screening"]
    assert changes["choreography"].foreign_owners() == ["payments"]
    assert changes["orchestration"].foreign_owners() == ["orchestrator"]


def test_retiring_a_consumer_is_no_work_for_the_owner_of_the_event_it_heard():
    retire = ChangeRequest("retire emails", "email", {"followers": ()})
    card = scorecard(evolving_orders, workload={"orders": 5}, changes=[retire], dimensions=["coupling & autonomy"])
    assert card.figure("coupling & autonomy", "other teams involved (1 change)").values == {
        "orchestration": 1, "choreography": 0}


def test_duplicated_orders_break_the_choreography_only_and_the_suite_reports_each_fault():
    suite = {"duplicated OrderPlaced": FaultPlan(messages=[Duplicate(type="OrderPlaced", fraction=0.3)])}
    card = scorecard(evolving_orders, seed=7, workload={"orders": 40, "decline_rate": 0.1}, faults=suite,
                     dimensions=["error handling & compensation"])
    violations = card.figure("error handling & compensation", "invariant violations (1 fault)").values
    assert violations["orchestration"] == 0 < violations["choreography"]
    seen = card.details["error handling & compensation"]["duplicated OrderPlaced"]["choreography"]["violations"]
    assert set(seen) == {"paid-without-invoice", "money-conserved"}
    homes = card.figure("error handling & compensation", "definitions holding rollback logic").values
    assert homes == {"orchestration": 1, "choreography": 2}


def test_a_lost_reply_leaves_a_waiting_saga_counted_as_unfinished():
    # The saga has no deadline, so a lost reply leaves its instance waiting for ever; nothing can move it,
    # so the run ends and the scorecard counts it instead of stalling until the horizon.
    stall = {"lost reply": FaultPlan(messages=[Drop(type="OrderShipped", nth=1)])}
    card = scorecard(evolving_orders, workload={"orders": 4, "horizon": 200}, faults=stall,
                     dimensions=["error handling & compensation"])
    left = card.value("error handling & compensation", "transactions left unfinished (1 fault)", "orchestration")
    assert left == 1


def test_scaling_adds_throughput_and_a_single_engine_worker_holds_the_orchestration_back():
    card = scorecard(evolving_orders, seed=1, workload={"orders": 26}, load={"orders": 40, "rate": 20},
                     dimensions=["scalability & resilience"])
    curve = card.details["scalability & resilience"]["scaling"]
    for wiring in ("orchestration", "choreography"):
        assert curve[wiring][1][0] < curve[wiring][2][0] < curve[wiring][4][0]
    engine = card.figure("scalability & resilience", "throughput, 4 workers, engine at 1").values
    assert engine["orchestration"] < engine["choreography"]
    down = card.details["scalability & resilience"]["availability"]
    assert down["orchestration"]["finished while down"]["orchestrator"] == 0
    assert down["orchestration"]["windows"]["payments"] == down["choreography"]["windows"]["payments"]


def test_the_scorecard_works_for_another_scenario_with_two_wirings():
    crm = ChangeRequest("sync to the CRM", "crm", {"destinations": ("warehouse", "search", "crm")}, "consumer")
    card = scorecard(data_pipeline, seed=1, workload={"records": 20}, changes=[crm],
                     dimensions=["control & visibility", "evolution & change"])
    assert card.winners()["evolution & change"] == "choreography"
    assert card.value("control & visibility", "records read per question", "orchestration") == 1


def test_a_scenario_without_definitions_is_scored_on_runs_and_refused_change_requests_in_one_sentence():
    from playground.scenarios.order_flow import order_flow

    card = scorecard(order_flow, seed=1, workload={"orders": 8}, dimensions=["control & visibility"])
    assert card.winners() == {"control & visibility": "orchestration"}
    with pytest.raises(PlaygroundError, match="does not list its definitions"):
        scorecard(order_flow, workload={"orders": 8}, changes=[ChangeRequest("more", "orders", {"orders": 9})],
                  dimensions=["evolution & change"])
    with pytest.raises(PlaygroundError, match=r"order_flow does not take the arguments \['followers', 'orders'\]"):
        scorecard(order_flow, workload={"orders": 8}, changes=[PUSH], dimensions=["evolution & change"])


def test_bad_arguments_are_refused_in_one_sentence():
    with pytest.raises(PlaygroundError, match="no dimension called 'speed'"):
        scorecard(evolving_orders, dimensions=["speed"])
    with pytest.raises(PlaygroundError, match="maps names to FaultPlan objects"):
        scorecard(evolving_orders, faults={"bad": "crash"})
    with pytest.raises(PlaygroundError, match="takes ChangeRequest objects"):
        scorecard(evolving_orders, changes=[{"followers": ()}])
    with pytest.raises(PlaygroundError, match="needs a scenario factory"):
        scorecard("order_flow")
    with pytest.raises(PlaygroundError, match="workers must be whole numbers"):
        scorecard(evolving_orders, workers=(0, 2))
    with pytest.raises(PlaygroundError, match="at least 13 transactions"):
        scorecard(evolving_orders, workload={"orders": 5}, dimensions=["scalability & resilience"])


def test_trials_replace_the_workload_under_faults_and_load_and_the_scorecard_says_so():
    suite = {"duplicated OrderPlaced": FaultPlan(messages=[Duplicate(type="OrderPlaced", fraction=0.3)])}
    card = scorecard(evolving_orders, seed=3, workload={"orders": 30}, faults=suite, trials={"orders": 14},
                     dimensions=["control & visibility", "error handling & compensation", "scalability & resilience"])
    assert card.details["control & visibility"]["choreography"]["questions"] == 30  # the plain runs: every order
    outcomes = card.details["error handling & compensation"]["duplicated OrderPlaced"]["choreography"]["outcomes"]
    assert sum(outcomes.values()) == 14
    down = card.details["scalability & resilience"]["availability"]["choreography"]["run"]
    assert len(down.outcomes) == 14
    # Plain 2, suite 2, scaling 7, the trials' own plain run for the outage windows 1, outages 2.
    assert card.details["run count"] == 14
    assert card.notes == ["runs under faults, under load and with components down took orders=14; "
                          "the plain runs took orders=30"]
    assert str(card).splitlines()[1] == "note: " + card.notes[0]
    assert scorecard(evolving_orders, workload={"orders": 5}, dimensions=["control & visibility"]).notes == []


def test_a_plans_key_names_every_field_even_those_its_repr_leaves_out():
    from playground.analysis.experiments import plan_key
    from playground.runtime.fault_rules import FailCalls

    def plan(**changed):
        return FaultPlan(**{"failures": [FailCalls("payments", nth=2)], "outages": {"stock": [(1.0, 2.0)]},
                            **changed})

    assert plan_key(plan()) == plan_key(plan()) and hash(plan_key(plan()))
    assert repr(plan(redelivery_delay=5)) == repr(plan())  # the repr cannot tell them apart; the key can
    assert plan_key(plan(redelivery_delay=5)) != plan_key(plan())
    assert plan_key(plan(failures=[FailCalls("payments", nth=2, after_work=True)])) != plan_key(plan())
    assert plan_key(plan(messages=[Drop(type="OrderPlaced", nth=1)])) != plan_key(
        plan(messages=[Duplicate(type="OrderPlaced", nth=1)]))
    assert plan_key(plan(amnesia=["payments"])) != plan_key(plan())
    assert plan_key(None) != plan_key(FaultPlan())

    class Live(FaultPlan):  # a plan whose answers may change during a run is never a key
        pass

    assert plan_key(Live()) is None


def test_an_identical_run_under_faults_is_reused_and_an_unmarked_factory_always_runs_afresh():
    from playground.analysis.experiments import _Runner, remembered

    class Counting:
        made = 0

        def __init__(self, marked):
            self.marked = marked

        def __call__(self, **params):
            Counting.made += 1
            return evolving_orders(**params)

        def fingerprint(self):
            return ("counting", "evolving orders") if self.marked else None

    plan = FaultPlan(messages=[Duplicate(type="OrderPlaced", nth=1)])
    marked = _Runner(Counting(True), 1, {"orders": 4})
    first = marked.run("choreography", plan)
    again = marked.run("choreography", FaultPlan(messages=[Duplicate(type="OrderPlaced", nth=1)]))
    assert again is first and (Counting.made, marked.runs) == (1, 2)  # counted as a run, built once
    slower = marked.run("choreography", FaultPlan(messages=[Duplicate(type="OrderPlaced", nth=1)],
                                                  redelivery_delay=3))
    assert slower is not first and Counting.made == 2
    assert marked.run("choreography", plan, keep=False) is not first and Counting.made == 3
    assert marked.run("choreography") is not marked.run("choreography")  # plain runs are handed out: never shared
    unmarked = _Runner(Counting(False), 1, {"orders": 4})
    assert unmarked.run("choreography", plan) is not unmarked.run("choreography", plan)
    assert remembered(None, lambda: "ran") == "ran"
