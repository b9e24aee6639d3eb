"""The playground command runs every scenario the course names and lists them, one line each; its options say
what they do, and bad input is refused in one line."""

import re

import pytest

from playground.cli import SCENARIOS, build_parser, main


def test_help_lists_every_scenario_on_one_line(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for name in SCENARIOS:
        assert len(re.findall(rf"^  {name} +\S.*$", text, re.MULTILINE)) == 1, name


@pytest.mark.parametrize("name, params", [
    ("onboarding", ["--set", "users=5"]),
    ("travel-booking", ["--set", "trips=5"]),
    ("data-pipeline", ["--set", "records=5"]),
    ("order-flow", ["--orders", "5", "--wiring", "orchestration"]),
    ("freight", ["--set", "shipments=5", "--wiring", "hybrid"]),
    ("event-spaghetti", ["--orders", "5", "--set", "style='governed'"]),
    ("parcel-flow", ["--set", "parcels=5"]),
])
def test_scenarios_run_from_the_command_line(capsys, name, params):
    assert main(["run", name, "--seed", "3", *params]) == 0
    assert re.search(r"^5 \w+ in [\d.,]+ simulated seconds", capsys.readouterr().out, re.MULTILINE)


def test_every_listed_scenario_builds_with_its_defaults():
    import importlib

    for module, factory, _ in SCENARIOS.values():
        getattr(importlib.import_module(f"playground.scenarios.{module}"), factory)(seed=1)


def test_a_parameter_the_scenario_does_not_take_is_one_sentence(capsys):
    assert main(["run", "onboarding", "--set", "orders=5"]) == 2
    assert "does not take that parameter" in capsys.readouterr().err


def _help(*command):
    return build_parser()._subparsers._group_actions[0].choices[command[0]].format_help()


def test_run_options_have_help_defaults_and_choices():
    text = " ".join(_help("run").split())
    assert "--seed SEED seed for every random choice; the same seed gives the same trace (default: 0)" in text
    assert "--orders N how many orders, in the order scenarios (default: the scenario's own, 100 for order-flow)" in text
    assert "--wiring {choreography,orchestration,hybrid}" in text
    assert "(default: the scenario's own, choreography for order-flow)" in text


@pytest.mark.parametrize(("argv", "complaint"), [
    (["run", "order-flow", "--wiring", "conductor"], "argument --wiring: invalid choice: 'conductor' (choose from 'choreography', 'orchestration', 'hybrid')"),
    (["run", "order-flow", "--orders", "-3"], "argument --orders: must be 0 or more, not -3"),
    (["grade", "exercises/07_loyalty_points.ipynb", "--limit", "-1"],
     "argument --limit: must be a number of seconds greater than 0, not -1"),
    (["grade", "exercises/07_loyalty_points.ipynb", "--timeout", "soon"],
     "argument --timeout: must be a number of seconds, not 'soon'"),
])
def test_bad_values_are_refused_before_anything_runs(argv, complaint, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(complaint)


def test_a_trace_into_a_missing_folder_is_refused_before_the_run(tmp_path, capsys):
    missing = tmp_path / "missing" / "t.jsonl"
    assert main(["run", "order-flow", "--orders", "5", "--trace", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # refused before running
    assert err == (f"playground: --trace {missing}: the folder {missing.parent} does not exist; "
                   "create it first or write the trace somewhere else.\n")


def test_a_trace_is_written_where_asked(tmp_path, capsys):
    target = tmp_path / "t.jsonl"
    assert main(["run", "order-flow", "--orders", "3", "--trace", str(target)]) == 0
    assert target.read_text().count("\n") > 3 * 7
    assert capsys.readouterr().out.endswith(f"trace written to {target}\n")


@pytest.mark.parametrize("check", [["--check"], []])
def test_exercises_build_says_when_the_solutions_folder_does_not_exist(tmp_path, monkeypatch, capsys, check):
    monkeypatch.chdir(tmp_path)  # also from a folder without exercises/
    assert main(["exercises", "build", "--solutions", str(tmp_path / "nonexistent"), *check]) == 2
    assert capsys.readouterr().err == (f"playground: --solutions {tmp_path / 'nonexistent'}: there is no such "
                                       "folder; run the command from the repository or give the folder's path.\n")


def test_exercises_check_says_when_the_exercises_folder_does_not_exist(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    assert main(["exercises", "build", "--solutions", str(solutions), "--exercises", str(tmp_path / "nope"),
                 "--check"]) == 2
    assert "--exercises " in capsys.readouterr().err
    assert main(["exercises", "build", "--solutions", str(solutions), "--check", "--exercises", str(tmp_path)]) == 2
    assert capsys.readouterr().err.endswith("holds no notebooks; point it at the folder with the reference "
                                            "solutions (solutions/ in the repository).\n")
