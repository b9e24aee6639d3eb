import pytest

from playground.errors import ScenarioError
from playground.runtime.faults import FaultPlan
from playground.scenarios.pipeline import data_pipeline, pipeline_reactions, pipeline_saga
from playground.services.pipeline import Crm, Ingest


@pytest.mark.parametrize("wiring", ["choreography", "orchestration"])
def test_every_record_reaches_every_destination_once(wiring):
    result = data_pipeline(records=30, seed=3, destinations=("warehouse", "search", "crm"), wiring=wiring).run()
    assert result.counts() == {"delivered": 30}
    for name in ("warehouse", "search", "crm"):
        assert sorted(result.services[name].rows) == sorted(result.outcomes)
        assert len(result.trace.where(kind="effect", at=name)) == 30


def test_the_same_seed_gives_the_same_trace_and_a_standby_service_gets_nothing():
    one = data_pipeline(records=15, seed=8, standby=("crm",), wiring="orchestration").run()
    two = data_pipeline(records=15, seed=8, standby=("crm",), wiring="orchestration").run()
    assert one.trace.digest() == two.trace.digest()
    assert one.services["crm"].rows == {}
    assert not [e for e in one.trace.entries if e.at == "crm"]


def test_ingest_cleans_the_email_and_a_destination_is_an_upsert():
    (event,) = Ingest().handle("IngestRecord", {"record_id": "r1", "customer": "c", "email": " A@B.org "})
    assert event.payload["email"] == "a@b.org"
    crm = Crm()
    crm.handle("SyncCrm", {"record_id": "r1", "customer": "c", "email": "x"})
    crm.handle("SyncCrm", {"record_id": "r1", "customer": "c", "email": "y"})
    assert crm.rows == {"r1": {"customer": "c", "email": "y"}}
    assert [n.kind for n in crm.take_notes()] == ["effect"]  # loaded once, updated once


def test_the_definitions_follow_the_destinations():
    assert pipeline_reactions(["warehouse", "crm"])["crm"] == {"RecordIngested": "SyncCrm"}
    saga = pipeline_saga(["warehouse", "crm"])
    assert saga.stage_names == ["ingest", "warehouse_and_crm"]
    assert pipeline_saga(["crm"]).stage_names == ["ingest", "crm"]


def test_an_orchestrator_outage_halts_every_destination_and_a_service_outage_only_its_own():
    from playground.analysis.windows import handled

    halted = data_pipeline(records=120, seed=2, wiring="orchestration",
                           faults=FaultPlan(outages={"orchestrator": [(20, 40)]})).run()
    assert [handled(halted, d, 21, 40) for d in ("warehouse", "search")] == [0, 0]
    one = data_pipeline(records=120, seed=2, faults=FaultPlan(outages={"warehouse": [(20, 40)]})).run()
    assert handled(one, "warehouse", 21, 40) == 0 and handled(one, "search", 21, 40) > 20
    assert one.counts() == halted.counts() == {"delivered": 120}


@pytest.mark.parametrize("params, fragment", [
    ({"destinations": ()}, "at least one destination"),
    ({"destinations": ("warehouse", "datalake")}, "no destination called 'datalake'"),
    ({"destinations": ("crm",), "standby": ("crm",)}, "may appear once"),
    ({"records": -1}, "records must be a whole number"),
])
def test_bad_parameters_get_one_sentence(params, fragment):
    with pytest.raises(ScenarioError) as caught:
        data_pipeline(**params)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_durable_store_lets_a_crashed_orchestrator_finish_what_a_memory_store_forgets(tmp_path):
    params = dict(records=60, seed=2, destinations=("warehouse", "crm"), wiring="orchestration",
                  latency={"crm": 3}, faults=FaultPlan(crashes={"orchestrator": [(10, 30)]}))
    forgetful = data_pipeline(**params).run()
    durable = data_pipeline(store=str(tmp_path / "pipeline.sqlite"), **params).run()
    assert forgetful.counts()["delivered"] < 60 and forgetful.counts()["dead-lettered"] > 0
    assert durable.counts() == {"delivered": 60}
