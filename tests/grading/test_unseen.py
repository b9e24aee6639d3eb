"""Workloads drawn at grading time: reproducible from the grading seed, different per check, never the notebook's."""

import pytest

from playground.errors import PlaygroundError
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.unseen import SEED_VARIABLE, Unseen, fresh_seed, grading_seed, label, on, split

UNSEEN = Unseen(runs=4, orders=(30, 60), rate=(0.2, 0.4), style=["a", "b"], fixed=0.25, avoid_seeds={7})


def _draw(seed, check):
    with grading_seed(seed, check=check):
        return UNSEEN.draw()


def test_the_same_grading_seed_and_check_draw_the_same_workloads():
    assert _draw(11, "c") == _draw(11, "c")
    assert _draw(11, "c") != _draw(12, "c")
    assert _draw(11, "c") != _draw(11, "other check")


def test_draws_stay_in_their_ranges_and_never_use_an_avoided_seed():
    for seed in range(40):
        for workload in _draw(seed, "c"):
            assert 30 <= workload["orders"] <= 60 and isinstance(workload["orders"], int)
            assert 0.2 <= workload["rate"] <= 0.4
            assert workload["style"] in ("a", "b") and workload["fixed"] == 0.25
            assert workload["seed"] != 7 and workload["seed"] >= 1000


def test_the_grading_seed_comes_from_the_environment_when_set(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "4711")
    assert fresh_seed() == 4711
    monkeypatch.setenv(SEED_VARIABLE, "soon")
    with pytest.raises(PlaygroundError, match="set it to a whole number or unset it"):
        fresh_seed()
    monkeypatch.delenv(SEED_VARIABLE)
    assert len({fresh_seed() for _ in range(5)}) > 1  # fresh each time


def test_a_failure_names_the_workload_and_split_keeps_the_knobs_apart():
    knobs, params = split({"orders": 40, "tail": 22.5, "seed": 1234}, "tail")
    assert knobs == {"tail": 22.5} and params == {"orders": 40, "seed": 1234}
    with pytest.raises(Failed) as failed, on({"orders": 40, "tail": 22.5, "seed": 1234}):
        raise Failed("order-0003 was charged twice.")
    assert str(failed.value) == "order-0003 was charged twice (fresh workload: orders=40, tail=22.5, seed=1234)"
    assert label({"rate": 0.25, "seed": 9}) == "rate=0.25, seed=9"


def test_a_report_records_its_grading_seed_and_replaying_it_gives_the_same_verdict():
    drawn = []

    def judge(ns):
        (workload,) = Unseen(runs=1, orders=(1, 10**6)).draw()
        drawn.append(workload)
        if workload["orders"] % 2:
            raise Failed(f"odd orders: {workload['orders']}")

    exercise = Exercise("00_demo", "Draws", [Check("judge", "judges a drawn workload", 1, judge)])
    first = exercise.run({}, seed=2026)
    again = exercise.run({}, seed=2026)
    assert first.seed == again.seed == 2026 and first.to_dict()["seed"] == 2026
    assert drawn[0] == drawn[1] and first.to_dict()["checks"] == again.to_dict()["checks"]
    if not first.results[0].passed:
        assert "`playground grade --seed 2026` replays them" in first.text()
