import pytest

from playground.errors import ScenarioError
from playground.scenarios.row_events import contract_styles


@pytest.mark.parametrize("listens, version, confirmations", [
    ("rows", "v1", 20), ("rows", "renamed", 0), ("business", "v1", 20), ("business", "renamed", 20)])
def test_only_the_row_watching_email_goes_quiet_after_the_rename(listens, version, confirmations):
    run = contract_styles(orders=20, seed=5, email_listens_to=listens, orders_version=version).run()
    assert run.counts() == {"completed": 20} and run.dead_letters == []
    assert len(run.services["email"].sent) == confirmations


@pytest.mark.parametrize("params, fragment", [
    ({"email_listens_to": "gossip"}, "email_listens_to must be one of business, rows"),
    ({"orders_version": "v9"}, "no orders version 'v9'"),
])
def test_bad_choices_get_one_sentence(params, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        contract_styles(**params)
