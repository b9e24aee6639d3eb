"""Exercise 01's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

import pytest
from conftest import PASSES, assert_verdicts, verdict

from playground.grading.exercises import exercise

EXERCISE = exercise("01_faust_agent")


def _statuses(report):
    return {r.id: r.status for r in report.results}


def test_the_solution_earns_every_point(notebook_namespace):
    namespace, errors = notebook_namespace("01_faust_agent", "solutions")
    assert errors == []
    report = EXERCISE.run(namespace)
    assert report.score == report.max_score == 10, report.text()


def test_the_starter_earns_nothing_and_points_at_the_stub(notebook_namespace):
    namespace, errors = notebook_namespace("01_faust_agent", "exercises")
    assert errors and isinstance(errors[0], NotImplementedError)
    report = EXERCISE.run(namespace)
    assert report.score == 0
    assert report.results[0].message == ("`points_agent` still raises NotImplementedError: replace the stub with "
                                         "your code (the TODO above it says what to do).")


def test_points_at_placement_reward_cancelled_orders(learner):
    report = EXERCISE.run(learner("01_faust_agent", "hasty"))
    assert _statuses(report)["points_for_completed_orders"] == "failed"
    message = report.results[0].message
    assert "was cancelled (its card was declined) yet earned points" in message
    assert "award them when OrderCompleted arrives, not when the order is placed" in message


def test_no_memory_of_rewarded_orders_pays_twice_under_repeats(learner):
    report = EXERCISE.run(learner("01_faust_agent", "twice"))
    assert _statuses(report) == {"points_for_completed_orders": "passed", "points_once_per_order": "failed",
                                 "flow_unchanged": "passed"}
    assert "remember which orders already earned points and skip a repeat" in report.results[1].message


def test_a_flat_award_is_told_to_use_the_amount(learner):
    report = EXERCISE.run(learner("01_faust_agent", "flat"))
    assert report.score == 6
    assert "earned 10 points; it should earn" in report.results[0].message
    assert "remember each order's amount" in report.results[0].message


def test_an_agent_that_stops_reading_its_stream_is_told_to_keep_iterating(learner):
    report = EXERCISE.run(learner("01_faust_agent", "lazy"))
    assert report.score == 0
    assert ("left its `async for` loop (a return or break); an agent keeps reading its stream for as long as "
            "the app runs") in report.results[0].message


# -- the required wrong-answer suite (tests/grading/conftest.py) ------------------------------------------------
ANSWERS = {
    # Fitted to the notebook's seed: on fresh workloads other orders are cancelled, and they earn points.
    "seed_overfitted": {"points_for_completed_orders": verdict("failed", "was cancelled", "yet earned points",
                                                               "fresh workload")},
    # 27 awards was the notebook's count; fresh workloads complete more orders than that.
    "hard_coded": {"points_for_completed_orders": verdict("failed", "completed but earned no points"),
                   "points_once_per_order": verdict("failed", "when its OrderCompleted arrived again")},
    # Float points break PointsAwarded's contract: dead-lettered where sent, and the feedback quotes why.
    "contract_breaking": {check.id: verdict("failed", "dead-lettered instead of delivered", "at points",
                                            "field 'points' should be a whole number",
                                            "must carry the fields its contract declares")
                          for check in EXERCISE.checks},
    # A misspelt event name: every award is dead-lettered and the closest declared name is offered.
    "dead_letter_typo": {check.id: verdict("failed", "dead-lettered", "unknown message type 'PointAwarded'",
                                           "did you mean 'PointsAwarded'", "fix the spelling")
                         for check in EXERCISE.checks},
    "alternative": {check.id: PASSES for check in EXERCISE.checks},
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_get_their_verdict_and_the_reason(name):
    assert_verdicts("01_faust_agent", name, ANSWERS[name])


def test_code_that_raises_on_an_event_is_reported_with_the_event_not_as_a_stopped_run():
    """An agent reading a field OrderCompleted lacks: each such event is parked, and the feedback says so."""
    typo = {"points_agent": '''
def points_agent(app, events, send):
    @app.agent(events)
    async def award(stream):
        async for event in stream:
            if event.type == "OrderCompleted":
                send("PointsAwarded", {"order_id": event.payload["order_id"], "customer": event.payload["customer"],
                                       "points": int(event.payload["amount"])}, cause=event)
    return award
'''}
    namespace = {"__name__": "__main__"}
    exec(typo["points_agent"], namespace)
    result = EXERCISE.check("points_for_completed_orders", namespace, seed=5)
    assert result.status == "failed", result
    assert ("“the points agent failed on OrderCompleted: KeyError: 'amount'”; the code handling it raised that "
            "exception") in result.message
