"""Exercise 01's checks, tested three ways: the solution passes, the starter fails helpfully, wrong answers fail as expected."""

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
