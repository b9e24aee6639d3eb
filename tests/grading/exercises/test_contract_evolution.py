"""Exercise 09's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected.

Every check draws its parcels from the grading seed, so each test here grades a workload the notebook never showed.
"""

import re
import runpy
from pathlib import Path

import nbformat
import pytest

from conftest import PASSES, assert_verdicts, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise
from playground.grading.exercises.contract_evolution import TRICKY

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "grading" / "fixtures" / "09_contract_evolution"

EXERCISE = exercise("09_contract_evolution")
#: The solution's cells a learner writes (and the setup they build on); the rest only runs and prints.
CELLS = ("setup", "expanded", "readers", "consumers", "contracted")


def _wrong(name: str) -> dict:
    """The solution notebook's namespace with the cells of fixture ``name`` in place of the solution's."""
    parts = re.split(r"^# %% (\w+)\n", (FIXTURES / f"{name}.py").read_text(encoding="utf-8"), flags=re.M)
    replaced = dict(zip(parts[1::2], parts[2::2]))
    nb = nbformat.read(ROOT / "solutions" / "09_contract_evolution.ipynb", as_version=4)
    namespace = {"__name__": "__main__"}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in CELLS:
            exec(compile(replaced.get(grade_id, cell.source), f"{name}#{grade_id}", "exec"), namespace)
    return namespace


def _by_id(report):
    return {r.id: r for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("09_contract_evolution", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("09_contract_evolution", "exercises")
    assert errors and all(isinstance(e, (NotImplementedError, NameError)) for e in errors)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    results = _by_id(report)
    # Every step starts from the expanded contract, so every check points at the first stub.
    for check in ("expand", "migrate", "migrated_consumers", "contract"):
        assert results[check].message.startswith("Your notebook defines no contract called `EXPANDED`")


def test_a_rename_in_one_release_is_refused_naming_both_consumers():
    results = _by_id(EXERCISE.run(_wrong("big_bang")))
    message = results["expand"].message
    assert message.startswith("The registry refuses EXPANDED: ParcelWeighed version 2 cannot ship under FORWARD")
    assert "it would break billing (BillParcel" in message and "it would break tracking (TrackParcel" in message
    assert "Add a new field as optional beside the old one" in message
    assert not any(r.passed for r in results.values())


def test_a_reader_that_requires_the_new_field_cannot_read_old_events():
    message = EXERCISE.check("migrate", _wrong("reader_requires_grams")).message
    assert "billing's BillParcel cannot read ParcelWeighed version 1: field 'weight_g' is required" in message
    assert "Take each field some version of the event lacks as optional" in message


def test_converting_kilograms_with_int_is_caught_on_old_events():
    namespace = _wrong("truncating_tracking")
    failed = EXERCISE.check("migrated_consumers", namespace)
    assert failed.status == "failed" and "round(weight_kg * 1000), not int()" in failed.message
    assert EXERCISE.check("contract", namespace).passed  # version 3 carries grams: nothing to convert


def test_consumers_that_never_use_the_new_field_break_when_the_old_one_goes():
    namespace = _wrong("kilograms_forever")
    assert EXERCISE.check("migrated_consumers", namespace).passed  # with weight_kg still there, nothing shows
    failed = EXERCISE.check("contract", namespace)
    assert failed.status == "failed"
    assert "`MigratedBilling.bill` raised TypeError" in failed.message
    assert "version 3 has no weight_kg, so a migrated consumer must use weight_g" in failed.message


@pytest.mark.parametrize("name, expected", [
    ("never_contracted", "CONTRACTED still carries weight_kg; the last step removes the old field"),
    ("required_too_soon", "version 3 cannot read version 2: field 'weight_g' is required but version 2 may leave it "
                          "out. A field that an earlier version may leave out cannot become required; keep it optional"),
])
def test_a_wrong_last_step_is_refused_with_its_reason(name, expected):
    result = EXERCISE.check("contract", _wrong(name))
    assert result.status == "failed" and expected in result.message


def test_a_contract_that_is_not_a_message_spec_is_refused():
    result = EXERCISE.check("expand", {"EXPANDED": {"weight_g": int}})
    assert result.message == ("`EXPANDED` should be a MessageSpec (build it with replace() from the version it "
                              "follows), not dict.")


def test_the_awkward_weights_are_the_ones_int_gets_wrong():
    assert 1001 in TRICKY and all(int(g / 1000 * 1000) == g - 1 for g in TRICKY) and len(TRICKY) > 100


# -- the required wrong-answer suite (tests/grading/conftest.py) ------------------------------------------------
UP_TO_MIGRATE = {"expand": PASSES, "migrate": PASSES}
ANSWERS = {
    # Weights remembered from the notebook's run: once weight_kg is gone, fresh parcels are billed wrongly.
    "seed_overfitted": {**UP_TO_MIGRATE, "migrated_consumers": PASSES,
                        "contract": verdict("failed", "fresh workload", "billing charged", "which weighs")},
    # The one awkward weight the notebook names, patched by hand: other awkward weights come out a gram short.
    "hard_coded": {**UP_TO_MIGRATE, "migrated_consumers": verdict("failed", "MigratedTracking recorded",
                                                                   "round(weight_kg * 1000), not int()"),
                   "contract": PASSES},
    # Float grams: ParcelTracked is dead-lettered where it was published, and the feedback quotes the contract.
    "contract_breaking": {**UP_TO_MIGRATE, "migrated_consumers": verdict(
        "failed", "dead-lettered instead of delivered, the first at tracking",
        "ParcelTracked from tracking breaks its contract: field 'grams' should be a whole number, not float",
        "every ParcelTracked your tracking service publishes must carry the fields its contract declares"),
        "contract": PASSES},
    # A misspelt parameter: every event carrying weight_g is dead-lettered; the feedback names the handler and field.
    "dead_letter_typo": {**UP_TO_MIGRATE, **{
        check: verdict("failed", "MigratedTracking.track() got an unexpected keyword argument 'weight_g'",
                       "while handling TrackParcel", "messages were dead-lettered at tracking")
        for check in ("migrated_consumers", "contract")}},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_get_their_verdict_and_the_reason(name):
    assert_verdicts("09_contract_evolution", name, ANSWERS[name])


def test_the_same_grading_seed_draws_the_same_parcels():
    """Verdicts can be replayed: the workloads come from the grading seed, not from the operating system."""
    results = [EXERCISE.check("contract", runpy.run_path(str(FIXTURES / "seed_overfitted.py")), seed=99)
               for _ in range(2)]
    assert results[0].message == results[1].message and "fresh workload: parcels=" in results[0].message
