import pytest

from playground.analysis.coupling import compare, footprint
from playground.errors import ScenarioError
from playground.scenarios.god_orchestrator import growing_orchestrator


def test_adding_a_follow_up_to_a_god_saga_needs_the_orchestrator_team_but_not_when_split():
    for split, foreign in ((False, ["orchestrator"]), (True, [])):
        change = compare(footprint(growing_orchestrator(extras=("confirm",), split=split)),
                         footprint(growing_orchestrator(extras=("confirm", "push"), split=split)), requested_by="push")
        assert change.foreign_owners() == foreign


@pytest.mark.parametrize("params, fragment", [
    ({"extras": ("sms",)}, "no follow-up step called 'sms'"),
    ({"extras": ("push", "push")}, "may appear once"),
])
def test_bad_follow_ups_get_one_sentence(params, fragment):
    with pytest.raises(ScenarioError) as caught:
        growing_orchestrator(**params)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)
