from playground.design.recommend import (CHOREOGRAPH, ORCHESTRATE, define_guarantees, identify_triggers,
                                         map_capabilities, pick_patterns, recommend)
from playground.design.spec import load_spec
from tests.design.conftest import SINGLE


def test_each_worked_spec_gets_a_pattern_per_interaction(specs):
    assert recommend(specs["checkout"]).patterns() == {"checkout": ORCHESTRATE, "fulfilment": CHOREOGRAPH,
                                                       "receipt": CHOREOGRAPH}
    assert recommend(specs["loan"]).patterns() == {"application": ORCHESTRATE, "welcome": CHOREOGRAPH,
                                                   "regret": CHOREOGRAPH}
    assert set(recommend(specs["pipeline"]).patterns().values()) == {CHOREOGRAPH}
    assert [recommend(specs[n]).overall for n in ("checkout", "loan", "pipeline", "ping")] == [
        "hybrid", "hybrid", CHOREOGRAPH, CHOREOGRAPH]


def test_every_reason_names_a_spec_field_that_exists(specs):
    for spec in specs.values():
        for choice in pick_patterns(spec):
            assert choice.reasons, choice
            k = [i.name for i in spec.interactions].index(choice.interaction)
            for reason in choice.reasons:
                assert reason.field.startswith(f"interactions[{k}].")
                assert reason.field.split(".")[-1] in ("guarantees", "deadline", "trigger", "steps")
                assert reason.pulls in (ORCHESTRATE, CHOREOGRAPH, "either")
            # The pattern picked is the way at least one reason pulls.
            assert any(r.pulls == choice.pattern for r in choice.reasons)


def test_each_strong_guarantee_alone_turns_an_interaction_to_orchestration():
    def one(**interaction):
        caps = [{"name": "a", "team": "x"}, {"name": "b", "team": "y"}, {"name": "person", "team": "y",
                                                                          "human": True, "latency": 60}]
        steps = [{"name": "first", "capability": "a", "undo": "undo it"}, {"name": "second", "capability": "b"}]
        return recommend(load_spec({"name": "p", "capabilities": caps, "interactions": [
            {"name": "flow", "trigger": "command", "steps": interaction.pop("steps", steps), **interaction}]}))

    assert one().patterns() == {"flow": CHOREOGRAPH}
    assert one(guarantees=["all-or-nothing"]).patterns() == {"flow": ORCHESTRATE}
    assert one(guarantees=["deadline"], deadline=10).patterns() == {"flow": ORCHESTRATE}
    assert one(guarantees=["human decision"], steps=[{"name": "ask", "capability": "person"}]).patterns() == {
        "flow": ORCHESTRATE}
    # Nothing to undo: all-or-nothing needs no rollback, so no coordinator either.
    assert one(guarantees=["all-or-nothing"], steps=[{"name": "first", "capability": "a"},
                                                     {"name": "second", "capability": "b"}]).patterns() == {
        "flow": CHOREOGRAPH}
    assert one(guarantees=["audit", "ordering"]).patterns() == {"flow": CHOREOGRAPH}


def test_the_first_three_steps_read_the_spec(specs):
    assert map_capabilities(specs["loan"])["risk"] == ["bureau", "underwriting"]
    assert identify_triggers(specs["pipeline"])["batch"].startswith("time:")
    assert identify_triggers(specs["loan"])["regret"].startswith("event: application cancelled")
    guarantees, findings = define_guarantees(specs["loan"])
    assert guarantees["application"] == ("all-or-nothing", "human decision", "deadline", "audit")
    assert findings == []


def test_a_promise_no_wiring_can_keep_is_a_finding_naming_its_field():
    spec = load_spec({**SINGLE, "capabilities": [{"name": "echo", "team": "tools", "latency": 2}],
                      "interactions": [{"name": "ping", "trigger": "command", "guarantees": ["all-or-nothing",
                                                                                             "deadline"],
                                        "deadline": 3, "steps": [{"name": "answer", "capability": "echo"},
                                                                 {"name": "log", "capability": "echo"}]}]})
    _, findings = define_guarantees(spec)
    assert [f.field for f in findings] == ["interactions[0].steps[0].undo", "interactions[0].deadline"]
    assert str(findings[0]) == ("[interactions[0].steps[0].undo] 'answer' cannot be undone, yet 'log' after it can "
                                "fail, so ping cannot be all-or-nothing; move 'answer' last or say how to undo it.")


def test_the_recommendation_prints_the_five_steps(specs):
    text = str(recommend(specs["checkout"]))
    for heading in ("1. capabilities by team", "2. triggers", "3. guarantees", "4. a pattern per interaction",
                    "5. prototype both wirings"):
        assert heading in text
    assert text.splitlines()[0] == "checkout: hybrid"
