import pytest

from playground.analysis.invariants import check
from playground.design.guarantees import broken_guarantees
from playground.design.prototype import PROTOTYPE_WIRINGS, PrototypeFactory, prototype
from playground.design.spec import SpecError
from playground.errors import ScenarioError
from playground.runtime.fault_rules import FailCalls
from playground.runtime.faults import FaultPlan
from tests.design.conftest import CLAIMS

NAMES = ("checkout", "loan", "pipeline", "ping", "claims")


@pytest.mark.parametrize("name", NAMES)
def test_both_wirings_run_every_spec_to_the_same_outcomes_with_every_guarantee_kept(specs, name):
    spec = specs[name]
    runs = {w: prototype(spec, wiring=w, instances=12, seed=5).run() for w in PROTOTYPE_WIRINGS}
    outcomes = {w: r.outcomes for w, r in runs.items()}
    assert outcomes["orchestration"] == outcomes["choreography"] == outcomes["recommended"]
    assert set(runs["choreography"].counts()) <= {"completed", "cancelled"}
    for wiring, run in runs.items():
        assert not run.dead_letters, (wiring, run.dead_letters[:1])
        assert {g: v for g, v in broken_guarantees(spec, run).items() if v} == {}, wiring
        assert {k: v for k, v in check(run).items() if v} == {}, wiring


@pytest.mark.parametrize("name", NAMES)
def test_a_prototype_is_deterministic_per_seed(specs, name):
    for wiring in ("orchestration", "choreography"):
        first, again, other = (prototype(specs[name], wiring=wiring, instances=8, seed=s).run() for s in (3, 3, 4))
        assert first.trace.digest() == again.trace.digest()
        assert first.trace.digest() != other.trace.digest()


def test_the_orchestrated_wiring_runs_one_saga_per_interaction_and_the_choreography_none(specs):
    spec = specs["claims"]
    orchestrated = prototype(spec, wiring="orchestration").definitions()
    assert [s.name for s in orchestrated["sagas"]] == ["claim", "booking", "notice"]
    assert all(not table for table in orchestrated["reactions"].values())
    choreographed = prototype(spec, wiring="choreography").definitions()
    assert choreographed["sagas"] == []
    assert choreographed["reactions"]["mail"] == {"BookingCompleted": "PostNotice", "PostNoticeDone": "FinishNotice",
                                                  "PostNoticeFailed": "CancelNotice"}
    assert "orchestrator" in prototype(spec, wiring="orchestration").components()
    assert "orchestrator" not in prototype(spec, wiring="choreography").components()


def test_the_recommended_wiring_is_a_hybrid_where_the_recommendation_is(specs):
    hybrid = prototype(specs["checkout"], wiring="recommended")
    assert (hybrid.orchestrated, hybrid.choreographed) == (["checkout"], ["fulfilment", "receipt"])
    run = hybrid.run()
    # The followers hear the end the saga announces, in the order the saga announced it.
    assert run.extras["orchestrator"] is not None and run.counts()["completed"] > 0
    assert {e.type for e in run.trace.where(kind="send", at="email")} >= {"SendReceiptDone"}


def test_follow_ups_start_only_from_the_end_they_name(specs):
    run = prototype(specs["loan"], wiring="choreography", instances=20, seed=2).run()
    ends = run.counts()
    welcomed = {e.detail["key"] for e in run.trace.where(kind="effect") if e.detail["effect"] == "send_welcome"}
    regretted = {e.detail["key"] for e in run.trace.where(kind="effect") if e.detail["effect"] == "send_regret"}
    assert len(welcomed) == ends["completed"] and len(regretted) == ends["cancelled"]
    assert welcomed == {c for c, o in run.outcomes.items() if o == "completed"}


def test_a_capability_that_is_not_idempotent_does_a_redelivered_step_twice(specs):
    spec = specs["ping"]
    naive = spec.replace(capabilities=(spec.capabilities[0].__class__("echo", "tools", 0.1, idempotent=False),))
    plan = FaultPlan(failures=[FailCalls("echo", command="Answer", nth=2, after_work=True)])
    for wiring in ("orchestration", "choreography"):
        careful = prototype(spec, wiring=wiring, instances=5, faults=plan).run()
        sloppy = prototype(naive, wiring=wiring, instances=5, faults=plan).run()
        assert check(careful)["effects-at-most-once"] == []
        assert [v.correlation_id for v in check(sloppy)["effects-at-most-once"]] == ["ping-0002"]


def test_bad_parameters_are_refused_in_one_sentence(specs):
    with pytest.raises(ScenarioError, match=r"^latency= names 'bank', which is not a capability of the spec; use one "
                                            r"of echo\.$"):
        prototype(specs["ping"], latency={"bank": 1.0})
    with pytest.raises(ScenarioError, match="has no wiring called 'hybrid'"):
        prototype(specs["ping"], wiring="hybrid")


def test_the_factory_takes_a_changed_spec_as_a_change_request_does(specs):
    factory = PrototypeFactory(specs["ping"], instances=3)
    assert factory(wiring="choreography").spec is specs["ping"]
    assert factory(wiring="choreography", spec=specs["claims"]).spec is specs["claims"]
    assert factory(wiring="choreography").instances == 3


def test_an_invalid_spec_gets_no_prototype_and_one_sentence_naming_the_field():
    broken = {**CLAIMS, "capabilities": [*CLAIMS["capabilities"][:-1], {"name": "mail", "team": "customer care",
                                                                         "latency": "fast"}]}
    with pytest.raises(SpecError) as refused:
        prototype(broken, wiring="choreography")
    assert str(refused.value) == ("The spec's capabilities[4].latency must be a number of simulated seconds above 0, "
                                  "not 'fast'.")
