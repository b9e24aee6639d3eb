import pytest

from playground.design.spec import load_spec
from playground.design.wiring import reactions, saga_of, timeouts
from playground.errors import SagaDefinitionError

SPEC = {"name": "p", "capabilities": [{"name": "a", "team": "x", "latency": 0.1}, {"name": "b", "team": "y"},
                                      {"name": "c", "team": "z", "latency": 1.0}],
        "interactions": [{"name": "flow", "trigger": "command", "steps": [
            {"name": "one", "capability": "a", "undo": "u1"}, {"name": "two", "capability": "b"},
            {"name": "three", "capability": "c", "undo": "u3"}, {"name": "four", "capability": "b"}]}]}


def test_a_refusal_rolls_back_from_the_newest_undoable_step_before_it():
    tables = reactions(load_spec(SPEC), ["flow"])
    assert tables["a"]["TwoFailed"] == "UndoOne"        # 'two' cannot be undone: nothing between
    assert tables["c"]["FourFailed"] == "UndoThree"     # the newest undoable step before 'four'
    assert tables["a"]["ThreeUndone"] == "UndoOne"      # each undone step hands over to the one before
    assert tables["a"]["OneUndone"] == "CancelFlow"     # the oldest undone: the first capability announces
    assert tables["a"]["OneFailed"] == "CancelFlow"     # nothing before the first step
    assert tables["a"]["FourDone"] == "FinishFlow"


def test_the_saga_has_the_same_steps_and_undo_commands():
    saga = saga_of(load_spec(SPEC), load_spec(SPEC).entry)
    assert saga.stage_names == ["one", "two", "three", "four"]
    assert saga.compensable == ["one", "three"]
    assert saga.boundary()["ends"]["completed"] == "FlowCompleted"


def test_with_a_deadline_the_steps_timeouts_fit_within_it():
    spec = load_spec({**SPEC, "interactions": [{**SPEC["interactions"][0], "guarantees": ["deadline"],
                                                "deadline": 12}]})
    waits = timeouts(spec, spec.entry)
    undo = 1.5 * (0.1 + 1.0)
    assert sum(waits) == pytest.approx(12 - undo)
    assert waits[2] > waits[0] and waits[1] == waits[3]
    assert timeouts(load_spec(SPEC), load_spec(SPEC).entry) == [1.0, 1.0, 10.0, 1.0]


def test_a_saga_rejects_nothing_a_valid_spec_produces(specs):
    for spec in specs.values():
        for i in spec.interactions:
            try:
                saga_of(spec, i)
            except SagaDefinitionError as wrong:  # pragma: no cover - the assertion shows the sentence
                pytest.fail(str(wrong))
