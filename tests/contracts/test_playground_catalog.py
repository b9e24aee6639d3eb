"""The merge gate for this repository's own catalog: every reaction can read its event, and the flows are DAGs.

This is the check a team would run before merging a change to a contract or
a reaction table; the ping-pong table is the one deliberate exception.
"""

import pytest

from playground.analysis.reaction_graph import reaction_cycles
from playground.catalog import CATALOG
from playground.contracts.registry import ContractRegistry
from playground.runtime.randomness import Randomness
from playground.scenarios.freight import FREIGHT_REACTIONS, freight
from playground.scenarios.ping_pong import PING_PONG_REACTIONS
from playground.scenarios.pipeline import data_pipeline
from playground.scenarios.row_events import contract_styles
from playground.scenarios.spaghetti import event_spaghetti
from playground.services import SERVICES
from playground.wiring.choreography import ONBOARDING_REACTIONS, ORDER_REACTIONS

SCENARIOS = {
    "grown ungoverned": event_spaghetti(style="ungoverned"),
    "grown governed": event_spaghetti(style="governed"),
    "row events": contract_styles(email_listens_to="rows"),
    "pipeline": data_pipeline(destinations=("warehouse", "search", "crm"), wiring="choreography"),
}


@pytest.mark.parametrize("reactions", [ORDER_REACTIONS, ONBOARDING_REACTIONS], ids=["order flow", "onboarding"])
def test_the_core_reaction_tables_read_their_events_and_form_a_dag(reactions):
    assert ContractRegistry(CATALOG, reactions=reactions).mismatches() == []
    assert reaction_cycles(reactions, SERVICES) == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_reaction_table_reads_its_events_and_forms_a_dag(name):
    scenario = SCENARIOS[name]
    reactions = scenario.definitions()["reactions"]
    assert ContractRegistry(CATALOG, reactions=reactions).mismatches() == []
    assert reaction_cycles(reactions, scenario.build_services(Randomness(0))) == []


@pytest.mark.parametrize("wiring", ["hybrid", "choreography"])
def test_the_freight_reaction_tables_read_their_events_and_form_a_dag(wiring):
    reactions = FREIGHT_REACTIONS[wiring]
    assert ContractRegistry(CATALOG, reactions=reactions).mismatches() == []
    assert reaction_cycles(reactions, freight(wiring=wiring).build_services(Randomness(0))) == []


def test_the_gate_catches_the_one_deliberate_loop():
    assert reaction_cycles(PING_PONG_REACTIONS, SERVICES) != []
