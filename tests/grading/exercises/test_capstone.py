"""Exercise 14, the capstone: the solution passes, the starter earns nothing, wrong answers fail with their real cause,
the hidden fault plan is drawn at grading time, described when it bites, and replayed by its grading seed, and the
scorecard fails a hybrid that keeps every promise yet does not take the better column."""

import contextlib
import io
import runpy

import nbformat
import pytest

from conftest import FIXTURES, PASSES, ROOT, assert_verdicts, judged, verdict  # tests/grading/conftest.py
from playground.grading.exercises import exercise

EXERCISE = exercise("14_capstone")
ALL = [check.id for check in EXERCISE.checks]


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("14_capstone", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stubs(notebook_namespace):
    namespace, errors = notebook_namespace("14_capstone", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    for result in report.results:
        assert "defines no setting called `DOMAIN`" in result.message, result.message


ANSWERS = {
    # the notebook's own declines, by id: under refused=0 they are still declined
    "seed_overfitted": {"builds_a_hybrid": verdict("failed", "was declined although refused=0", "only the insurer "
                                                   "refuses", "(fresh workload: requests=")},
    # the number of declines the notebook printed, refused whatever the workload asks
    "hard_coded": {"builds_a_hybrid": verdict("failed", "request-001 was declined although refused=0")},
    "contract_breaking": {check: verdict("failed", "dead-lettered instead of delivered", "the first at billing",
                                         "“CoPayTaken from billing breaks its contract: field 'co_pay' is missing”",
                                         "every message must carry the fields its contract declares")
                          for check in ALL},
    "dead_letter_typo": {"builds_a_hybrid": verdict("failed", "dead-lettered", "unknown message type 'SlotReleaed'",
                                                    "did you mean 'SlotReleased'?", "fix the spelling")},
    "alternative": {check: PASSES for check in ALL},
    "visible_only": {"builds_a_hybrid": PASSES, "followers_do_not_hold_the_core": PASSES,
                     "the_design_fits_the_workbook": PASSES,
                     "promises_hold_under_the_hidden_plan": verdict("failed", "under the hidden plan (",
                                                                    "delivered twice")},
    "inside_listener": {"builds_a_hybrid": verdict("failed", "reminders reacts to VisitAuthorised, a reply insurer "
                                                   "sends to the orchestrator from inside the saga")},
    "follower_in_the_saga": {
        "builds_a_hybrid": verdict("failed", "reminders runs TellPatient as a command of the saga"),
        "followers_do_not_hold_the_core": verdict("failed", "with reminders down from", "the saga waits for a "
                                                  "follower"),
        "takes_the_better_column": verdict("failed", "your saga commands 4 services (billing, insurer, reminders, "
                                           "schedule), and the workbook's all-orchestrated prototype of your SPEC, which "
                                           "conducts every interaction, commands 4",
                                           "on the coupling row a hybrid ties fewer teams to the conductor")},
    # the scorecard: each keeps every promise the other checks judge, and loses one column
    "undo_by_reaction": {**{check: PASSES for check in ALL if check != "takes_the_better_column"},
                         "takes_the_better_column": verdict("failed", "'refund co-pay' was run by billing's reactions",
                                                            "your rollback logic lives in 2 definitions",
                                                            "all-orchestrated column of your scorecard keeps it in 1",
                                                            "undo every held thing from the saga's compensations")},
    "no_deadlines": {**{check: PASSES for check in ALL if check != "takes_the_better_column"},
                     "takes_the_better_column": verdict("failed", "never ended after its", "was lost on its way",
                                                        "(the grader lost one reply of each kind,",
                                                        "your saga waits for a reply that will not come",
                                                        "give every step a deadline (timeout=) and a retry")},
    "gives_up_too_soon": {**{check: PASSES for check in ALL if check != "takes_the_better_column"},
                          "takes_the_better_column": verdict("failed", "was declined with the services of your "
                                                             "saga down from", "each for 40 of its calls (",
                                                             "though the insurer never refused it", "your saga gave up "
                                                             "on its step", "a deadline turning slow into failed",
                                                             "retries that outlast the outage")},
    "money_kept": {"builds_a_hybrid": verdict("failed", "was declined with 'take co-pay' noted 1 time(s) and "
                                              "'refund co-pay' 0", "gives back everything it held")},
    "spec_request_step": {"builds_a_hybrid": PASSES,
                          "the_design_fits_the_workbook": verdict("failed", "the workbook finds a problem in your SPEC",
                                                                  "[interactions[0].steps[0].undo] 'request' cannot "
                                                                  "be undone")},
    "spec_one_process": {"the_design_fits_the_workbook": verdict("failed", "the workbook finds a problem in your SPEC",
                                                                 "'tell' after it can fail")},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_each_answer_gets_its_verdict_and_the_real_cause(name):
    assert_verdicts(EXERCISE.id, name, ANSWERS[name])


def test_the_alternative_domain_passes_on_other_workloads_too():
    assert_verdicts(EXERCISE.id, "alternative", ANSWERS["alternative"], seed=3)


def _visible_check(namespace):
    """What the notebook's own "try it" cell prints for an answer: the learner's promises under the learner's plan."""
    nb = nbformat.read(ROOT / "solutions" / "14_capstone.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "try_it"]
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        exec(cell.source, dict(namespace))
    return shown.getvalue()


def test_an_answer_that_passes_the_notebooks_own_checks_fails_under_the_hidden_plan():
    namespace = runpy.run_path(str(FIXTURES / "14_capstone" / "visible_only.py"))
    assert "✔ every promise held under TRY" in _visible_check(namespace)
    result = judged(EXERCISE.id, "visible_only", "promises_hold_under_the_hidden_plan")
    assert result.status == "failed" and "under the hidden plan (" in result.message


@pytest.mark.parametrize("answer, check, says", [
    ("visible_only", "promises_hold_under_the_hidden_plan", "under the hidden plan ("),
    ("gives_up_too_soon", "takes_the_better_column", "though the insurer never refused it"),
])
def test_the_faults_a_check_judges_under_are_drawn_from_the_grading_seed_and_replayed_by_it(answer, check, says):
    namespace = runpy.run_path(str(FIXTURES / "14_capstone" / f"{answer}.py"))
    first, again = (EXERCISE.check(check, namespace, seed=404, limit=120).message for _ in range(2))
    other = EXERCISE.check(check, namespace, seed=405, limit=120).message
    assert first == again and says in first
    assert other != first  # another grading draws other workloads and other faults: services, times, messages


def test_the_rows_the_notebook_points_at_break_where_it_says_for_the_reference_spec():
    """Step 2 sends the learner to the scorecard's 'outage' and 'lost reply' rows: each breaks one pure wiring."""
    from capstone_answers import answer
    from playground.design.faults import fault_suite
    from playground.design.guarantees import broken_guarantees
    from playground.design.prototype import default_rate, prototype
    from playground.design.spec import load_spec

    spec = load_spec(answer()["SPEC"])
    suite = fault_suite(spec, instances=20, rate=default_rate(spec))

    def broken(wiring, fault):
        run = prototype(spec, wiring=wiring, seed=7, instances=20, faults=suite[fault]).run()
        return len(broken_guarantees(spec, run)["all-or-nothing"])

    assert broken("orchestration", "outage") > 0 and broken("choreography", "outage") == 0
    assert broken("choreography", "lost reply") > 0 and broken("orchestration", "lost reply") == 0


def test_a_domain_off_the_menu_is_named_with_the_menu():
    message = EXERCISE.check("builds_a_hybrid", {"DOMAIN": "insurance"}, seed=1).message
    assert message == ("`DOMAIN` is 'insurance'; set it to one of the menu's domains: 'car_rental', 'clinic', "
                       "'tickets'.")


def test_the_notebooks_menu_states_what_the_grader_reads_for_every_domain():
    from playground.grading.exercises.capstone_briefs import BRIEFS

    nb = nbformat.read(ROOT / "exercises" / "14_capstone.ipynb", as_version=4)
    menu = next(c.source for c in nb.cells if c.source.startswith("## The menu"))
    rows = {line.split("|")[1].strip(): line for line in menu.splitlines() if line.startswith("| `\"")}
    assert set(rows) == {f'`"{domain}"`' for domain in BRIEFS}
    for domain, brief in BRIEFS.items():
        row = rows[f'`"{domain}"`']
        for word in (*brief.effects, brief.success, brief.failure):
            assert f'"{word}"' in row, (domain, word)
        assert f"`{brief.count}`" in row and brief.refuser in row, domain
