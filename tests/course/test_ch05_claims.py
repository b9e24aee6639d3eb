"""Chapter 05's claims (the hidden drag on velocity), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

from playground.analysis.coupling import compare, footprint, hot_spots
from playground.analysis.event_graph import event_graph
from playground.analysis.windows import drained_at, handled
from playground.runtime.faults import FaultPlan
from playground.scenarios.pipeline import data_pipeline

CH05_TODAY = ("warehouse", "search")
CH05_WITH_CRM = ("warehouse", "search", "crm")
CH05_DOWN = (100, 200)


@pytest.fixture(scope="module")
def ch05_outages():
    halted = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="orchestration",
                           faults=FaultPlan(outages={"orchestrator": [CH05_DOWN]})).run()
    one_down = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="choreography",
                             faults=FaultPlan(outages={"warehouse": [CH05_DOWN]})).run()
    return halted, one_down


def test_ch05_orchestration_sends_more_messages_for_the_same_deliveries():
    runs = {w: data_pipeline(records=300, seed=5, destinations=CH05_TODAY, wiring=w).run()
            for w in ("choreography", "orchestration")}
    assert runs["choreography"].counts() == runs["orchestration"].counts() == {"delivered": 300}
    assert runs["orchestration"].trace.kinds()["send"] > runs["choreography"].trace.kinds()["send"]


def test_ch05_a_deployed_crm_that_no_definition_names_gets_nothing_until_a_definition_changes():
    deployed = data_pipeline(records=300, seed=5, destinations=CH05_TODAY, standby=("crm",),
                             wiring="orchestration").run()
    assert handled(deployed, "crm") == 0 and "crm" not in event_graph(deployed).components
    assert event_graph(deployed).fan_out()["orchestrator"] == 2
    for wiring in ("orchestration", "choreography"):
        assert handled(data_pipeline(records=300, seed=5, destinations=CH05_WITH_CRM, wiring=wiring).run(), "crm") == 300


def test_ch05_wiring_the_crm_is_the_sales_teams_change_in_choreography_and_the_orchestrators_in_orchestration():
    wired = {}
    for wiring in ("choreography", "orchestration"):
        before = footprint(data_pipeline(destinations=CH05_TODAY, standby=("crm",), wiring=wiring))
        wired[wiring] = compare(before, footprint(data_pipeline(destinations=CH05_WITH_CRM, wiring=wiring)),
                                requested_by="crm")
    assert wired["choreography"].keys() == ["reactions crm", "contract SyncCrm"]
    assert wired["choreography"].foreign_owners() == [] and wired["choreography"].redeploys() == ["crm"]
    assert "saga pipeline" in wired["orchestration"].keys()
    assert wired["orchestration"].foreign_owners() == ["orchestrator"]
    assert wired["orchestration"].redeploys() == ["orchestrator"]
    whole = {w: compare(footprint(data_pipeline(destinations=CH05_TODAY, wiring=w)),
                        footprint(data_pipeline(destinations=CH05_WITH_CRM, wiring=w)), requested_by="crm")
             for w in ("choreography", "orchestration")}
    assert whole["choreography"].owners() == ["crm"]
    assert whole["orchestration"].owners() == ["crm", "orchestrator"]


def test_ch05_every_change_of_three_teams_runs_through_the_one_saga():
    plan = [("crm", CH05_TODAY, CH05_WITH_CRM),
            ("marketing", CH05_WITH_CRM, (*CH05_WITH_CRM, "marketing")),
            ("search", (*CH05_WITH_CRM, "marketing"), ("warehouse", "crm", "marketing"))]
    for wiring, foreign, spots in (("choreography", 0, []),
                                   ("orchestration", 3, [("saga pipeline", "orchestrator", 3,
                                                          ["crm", "marketing", "search"])])):
        changes = [compare(footprint(data_pipeline(destinations=old, wiring=wiring)),
                           footprint(data_pipeline(destinations=new, wiring=wiring)), requested_by=team)
                   for team, old, new in plan]
        assert sum(len(c.foreign_owners()) for c in changes) == foreign
        assert hot_spots(changes) == spots


def test_ch05_while_the_orchestrator_is_down_no_destination_works_while_the_warehouse_is_down_only_it_waits(ch05_outages):
    halted, one_down = ch05_outages
    for run in ch05_outages:
        assert handled(run, "ingest", *CH05_DOWN) > 150  # records keep arriving in both runs
    assert [handled(halted, d, *CH05_DOWN) for d in CH05_WITH_CRM] == [0, 0, 0]
    arrived = handled(one_down, "ingest", *CH05_DOWN)
    assert handled(one_down, "warehouse", *CH05_DOWN) == 0
    assert handled(one_down, "search", *CH05_DOWN) >= 0.95 * arrived
    assert handled(one_down, "crm", *CH05_DOWN) >= 0.95 * arrived


def test_ch05_nothing_is_lost_but_the_orchestrators_backlog_lands_everywhere_at_once(ch05_outages):
    halted, one_down = ch05_outages
    assert halted.counts() == one_down.counts() == {"delivered": 600}
    end = CH05_DOWN[1]
    # in the choreography the healthy destinations had nothing to catch up on (at most the record in hand)
    assert drained_at(one_down, "search", after=end) < end + 1 and drained_at(one_down, "crm", after=end) < end + 1
    assert drained_at(halted, "crm", after=end) > drained_at(one_down, "warehouse", after=end) > end
    assert all(drained_at(halted, d, after=end) > end for d in CH05_WITH_CRM)


def test_ch05_the_extra_traffic_the_chapter_recalls_is_2100_against_1200_messages():
    sent = {w: data_pipeline(records=300, seed=5, destinations=CH05_TODAY, wiring=w).run().trace.kinds()["send"]
            for w in ("choreography", "orchestration")}
    assert sent == {"choreography": 1200, "orchestration": 2100}


def test_ch05_your_turn_answer_a_destination_down_leaves_search_working_and_finishes_no_record():
    from playground.analysis.windows import finished_between

    run = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="orchestration",
                        faults=FaultPlan(outages={"crm": [CH05_DOWN]})).run()
    assert [handled(run, d, *CH05_DOWN) for d in CH05_WITH_CRM] == [176, 177, 0]
    assert finished_between(run, *CH05_DOWN) == 0 and run.counts() == {"delivered": 600}


def test_ch05_exercise_1_answer_a_crash_forgets_in_flight_records_and_sqlite_keeps_them(tmp_path):
    slow_crash = FaultPlan(crashes={"orchestrator": [CH05_DOWN]}, latency={"crm": 3})
    plain = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="orchestration",
                          faults=FaultPlan(crashes={"orchestrator": [CH05_DOWN]})).run()
    assert plain.counts() == {"delivered": 600} and plain.dead_letters == []
    (crash,) = [e for e in plain.trace.where(kind="fault", at="orchestrator") if e.detail["phase"] == "lost-memory"]
    assert crash.detail["instances"] == 0
    forgot = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="orchestration",
                           faults=slow_crash).run()
    assert forgot.counts() == {"delivered": 452, "dead-lettered": 148}
    assert all("has no record of" in d.reason and d.envelope.type == "CrmSynced" for d in forgot.dead_letters)
    kept = data_pipeline(records=600, seed=5, destinations=CH05_WITH_CRM, wiring="orchestration",
                         store=str(tmp_path / "pipeline.sqlite"), faults=slow_crash).run()
    assert kept.counts() == {"delivered": 600} and len(kept.dead_letters) == 148
    assert all("repeats a reply" in d.reason for d in kept.dead_letters)
    assert [handled(kept, d, *CH05_DOWN) for d in ("warehouse", "search")] == [0, 0]  # the outage stays
