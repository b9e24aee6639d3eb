import copy
import json

import pytest

from playground.design.spec import GUARANTEES, TRIGGERS, SpecError, load_spec
from tests.design.conftest import CLAIMS, SINGLE


def _broken(change):
    spec = copy.deepcopy(CLAIMS)
    change(spec)
    return spec


@pytest.mark.parametrize("change, sentence", [
    (lambda s: s["interactions"][0]["steps"][1].update(capability="assesors"),
     "The spec's interactions[0].steps[1].capability is 'assesors', which is not one of claims, assessors, payouts, "
     "ledger, mail (did you mean 'assessors'?)."),
    (lambda s: s["interactions"][0].update(trigger="click"),
     "The spec's interactions[0].trigger is 'click', which is not one of command, event, time, human."),
    (lambda s: s["interactions"][0]["guarantees"].append("exactly once"),
     "The spec's interactions[0].guarantees[2] is 'exactly once', which is not one of all-or-nothing, ordering, "
     "deadline, human decision, audit."),
    (lambda s: s["interactions"][0]["guarantees"].append("deadline"),
     "The spec's interactions[0].deadline is missing although the guarantees name 'deadline'; give it in simulated "
     "seconds."),
    (lambda s: s["capabilities"][1].update(latency=0),
     "The spec's capabilities[1].latency must be a number of simulated seconds above 0, not 0."),
    (lambda s: s["capabilities"][1].update(fails=1),
     "The spec's capabilities[1].fails must be a share from 0 up to (not including) 1, not 1."),
    (lambda s: s["interactions"][1].pop("after"),
     "The spec's interactions[1].after is missing; an interaction triggered by an event names the interaction whose "
     "end starts it."),
    (lambda s: s["interactions"][1].update(after="notice"),
     "The spec's interactions[1].after makes a loop ('booking' waits for itself); break it."),
    (lambda s: s["interactions"][1].update(trigger="time", after=None),
     "The spec's interactions[1].after is given for a 'time' trigger; only event triggers follow another interaction."),
    (lambda s: s["interactions"][2]["steps"][0].update(name="book"),
     "The spec's interactions[2].steps[0].name repeats the step name 'book'; step names must differ across the "
     "whole spec."),
    (lambda s: s["interactions"][0]["steps"][0].update(undoo="x"),
     "The spec's interactions[0].steps[0].undoo is not a field of this part of a spec; rename it to 'undo'."),
    (lambda s: s["capabilities"][0].update(name="orchestrator"),
     "The spec's capabilities[0].name is 'orchestrator', a name the prototype uses itself; call the capability "
     "something else."),
    (lambda s: s["interactions"][0]["guarantees"].append("human decision"),
     "The spec's interactions[0].guarantees names 'human decision' but no step calls a human capability; mark the "
     "deciding capability \"human\": true or drop the guarantee."),
    (lambda s: s["interactions"][0]["steps"].clear(),
     "The spec's interactions[0].steps is empty; list at least one step as {\"name\": ..., \"capability\": ...}."),
    (lambda s: s["interactions"].append({"name": "reminder", "trigger": "time", "steps": [
        {"name": "remind", "capability": "mail"}]}),
     "The spec's interactions[3].trigger starts a second interaction from outside (the first is 'claim'); trigger it "
     "by an event with after= or describe it as its own process."),
    (lambda s: s["interactions"].append({"name": "copy", "trigger": "event", "after": "claim", "steps": [
        {"name": "copy_book", "capability": "ledger"}]}),
     "The spec's interactions[3].steps[0].capability starts 'copy' at 'ledger' when 'claim' is completed, like "
     "'booking'; a reaction table runs one command per event, so give one of them another first capability or "
     "merge them."),
])
def test_an_invalid_spec_is_refused_in_one_sentence_naming_the_field(change, sentence):
    with pytest.raises(SpecError) as refused:
        load_spec(_broken(change))
    assert str(refused.value) == sentence
    assert str(refused.value).count(". ") == 0 and str(refused.value).endswith(".")


def test_a_spec_reads_from_a_file_and_round_trips(tmp_path, specs):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(CLAIMS))
    spec = load_spec(path)
    assert spec == specs["claims"]
    assert load_spec(spec.to_dict()) == spec
    assert spec.entry.name == "claim" and [i.name for i in spec.followers("claim")] == ["booking"]


def test_a_missing_or_malformed_file_is_refused_in_one_sentence(tmp_path):
    with pytest.raises(SpecError, match=r"^There is no spec file at .*; check the name and the folder\.$"):
        load_spec(tmp_path / "nowhere.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",')
    with pytest.raises(SpecError, match=r"^The spec file is not valid JSON \(line 1: .*\); fix it there\.$"):
        load_spec(bad)


def test_the_vocabularies_are_the_issues_own():
    assert TRIGGERS == ("command", "event", "time", "human")
    assert GUARANTEES == ("all-or-nothing", "ordering", "deadline", "human decision", "audit")


def test_defaults_fill_what_a_spec_leaves_out():
    spec = load_spec(SINGLE)
    (echo,) = spec.capabilities
    assert (echo.latency, echo.fails, echo.human, echo.idempotent) == (0.1, 0.0, False, True)
    assert spec.entry.guarantees == () and spec.entry.deadline is None
