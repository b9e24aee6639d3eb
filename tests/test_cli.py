"""The playground command runs every scenario the course names and lists them, one line each."""

import re

import pytest

from playground.cli import SCENARIOS, main


def test_help_lists_every_scenario_on_one_line(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for name in SCENARIOS:
        assert len(re.findall(rf"^  {name} +\S.*$", text, re.M)) == 1, name


@pytest.mark.parametrize("name, params", [
    ("onboarding", ["--set", "users=5"]),
    ("travel-booking", ["--set", "trips=5"]),
    ("data-pipeline", ["--set", "records=5"]),
    ("order-flow", ["--orders", "5", "--wiring", "orchestration"]),
])
def test_scenarios_run_from_the_command_line(capsys, name, params):
    assert main(["run", name, "--seed", "3", *params]) == 0
    assert re.search(r"^5 \w+ in [\d.,]+ simulated seconds", capsys.readouterr().out, re.M)


def test_every_listed_scenario_builds_with_its_defaults():
    import importlib

    for module, factory, _ in SCENARIOS.values():
        getattr(importlib.import_module(f"playground.scenarios.{module}"), factory)(seed=1)


def test_a_parameter_the_scenario_does_not_take_is_one_sentence(capsys):
    assert main(["run", "onboarding", "--set", "orders=5"]) == 2
    assert "does not take that parameter" in capsys.readouterr().err
