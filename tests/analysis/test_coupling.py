import pytest

from playground.analysis.coupling import code_of, compare, footprint, hot_spots
from playground.errors import PlaygroundError
from playground.scenarios.pipeline import data_pipeline
from playground.services import Orders
from playground.services.pipeline import Crm


def _change(wiring, before, after, who, **kw):
    return compare(footprint(data_pipeline(destinations=before, wiring=wiring, **kw)),
                   footprint(data_pipeline(destinations=after, wiring=wiring)), requested_by=who)


def test_adding_a_destination_by_choreography_stays_inside_the_team_that_asks():
    change = _change("choreography", ("warehouse",), ("warehouse", "crm"), "crm")
    assert change.owners() == ["crm"] and change.foreign_owners() == []
    assert change.keys() == ["service crm", "reactions crm", "contract SyncCrm"]
    assert change.redeploys() == ["crm"]


def test_adding_a_destination_by_orchestration_changes_the_orchestrators_saga():
    change = _change("orchestration", ("warehouse",), ("warehouse", "crm"), "crm")
    assert change.foreign_owners() == ["orchestrator"]
    assert change.keys() == ["service crm", "contract CrmSynced", "contract SyncCrm", "saga pipeline"]
    assert change.redeploys() == ["crm", "orchestrator"]
    assert "another team" in str(change)


def test_retiring_a_destination_redeploys_nobody_in_choreography():
    change = _change("choreography", ("warehouse", "search"), ("warehouse",), "search")
    assert {t.how for t in change.touches} == {"removed"} and change.redeploys() == []


def test_a_standby_service_differs_from_a_wired_one_only_in_its_wiring():
    for wiring, expected in (("choreography", ["reactions crm", "contract SyncCrm"]),
                             ("orchestration", ["contract CrmSynced", "contract SyncCrm", "saga pipeline"])):
        change = _change(wiring, ("warehouse",), ("warehouse", "crm"), "crm", standby=("crm",))
        assert change.keys() == expected


def test_the_saga_is_the_hot_spot_of_a_series_of_changes():
    steps = [("warehouse",), ("warehouse", "crm"), ("warehouse", "crm", "marketing")]
    for wiring, expected in (("orchestration", [("saga pipeline", "orchestrator", 2, ["crm", "marketing"])]),
                             ("choreography", [])):
        changes = [_change(wiring, a, b, who) for (a, b), who in zip(zip(steps, steps[1:]), ["crm", "marketing"])]
        assert hot_spots(changes) == expected


def test_code_of_includes_inherited_code_and_unchanged_code_has_the_same_fingerprint():
    class Louder(Orders):
        pass

    assert code_of(Louder).startswith("    class Louder(Orders)") and "class Orders(Service)" in code_of(Louder)
    assert footprint(data_pipeline())["service warehouse"] == footprint(data_pipeline())["service warehouse"]
    assert "class Destination" in code_of(Crm)


def test_a_scenario_without_definitions_is_refused():
    from playground.scenarios import order_flow

    with pytest.raises(PlaygroundError, match="definitions"):
        footprint(order_flow())
