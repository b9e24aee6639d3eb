"""Chapter 01's claims (predictability vs autonomy): here, those of its backstage section on a hand-written faust agent."""

from collections import Counter

from learner_code import points_agent
from playground import Duplicate, FaultPlan, FaustConsumer, hosting_agent, order_flow


def naive(app, events, send):
    @app.agent(events)
    async def award_points(stream):
        async for event in stream:
            send("PointsAwarded", {"order_id": event.payload["order_id"], "customer": event.payload["customer"],
                                   "points": 10}, cause=event)

    return award_points


def test_ch01_the_bus_hosts_every_service_with_an_agent_that_iterates_its_stream():
    code = str(hosting_agent())
    assert "app.agent(channel" in code and "async for envelope in stream" in code


def test_ch01_the_newcomer_awards_one_point_grant_per_completed_order_and_changes_no_outcome():
    troupe = order_flow(orders=100, seed=2, decline_rate=0.1, wiring="choreography").run()
    rewarded = order_flow(orders=100, seed=2, decline_rate=0.1,
                          agents=[FaustConsumer("points", naive, hears=["OrderCompleted"])]).run()
    assert len(rewarded.trace.where(kind="send", type="PointsAwarded")) == rewarded.counts()["completed"] == 94
    assert rewarded.outcomes == troupe.outcomes


def test_ch01_with_duplicates_the_starter_awards_twice_and_the_answer_once():
    twice = FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox="points", fraction=0.5)])
    runs = {name: order_flow(orders=100, seed=2, decline_rate=0.1, faults=twice,
                             agents=[FaustConsumer("points", agent, hears=["OrderCompleted"])]).run()
            for name, agent in (("starter", naive), ("answer", points_agent))}
    starter = Counter(e.correlation_id for e in runs["starter"].trace.where(kind="send", type="PointsAwarded"))
    answer = Counter(e.correlation_id for e in runs["answer"].trace.where(kind="send", type="PointsAwarded"))
    assert sum(starter.values()) == len(runs["starter"].trace.where(kind="end", at="points")) == 136
    assert max(starter.values()) == 2
    assert len(answer) == sum(answer.values()) == runs["answer"].counts()["completed"] == 94


def test_ch01_exercise_answers_hold():
    from collections import Counter as Tally

    from playground import check, export_spans, reconstruct

    email_cut = order_flow(orders=100, seed=2, decline_rate=0.1, faults=FaultPlan(uncorrelated="email")).run()
    assert "unfinished" not in email_cut.counts() and not any(check(email_cut).values())
    conductor = order_flow(orders=100, seed=2, decline_rate=0.1, wiring="orchestration").run()
    troupe = order_flow(orders=100, seed=2, decline_rate=0.1).run()
    assert "waiting at payments" in reconstruct(conductor, "order-0042", at=45.9).answer()
    for run, completed, cancelled in ((conductor, 14, 10), (troupe, 7, 5)):
        per_trace = Tally(span.context.trace_id for span in export_spans(run))
        assert set(per_trace.values()) == {completed, cancelled}
    blind = order_flow(orders=100, seed=2, decline_rate=0.1, wiring="orchestration",
                       faults=FaultPlan(uncorrelated="payments"), horizon=300).run()
    assert blind.counts() == {"unfinished": 100} and len(blind.dead_letters) == 100
    assert all("carries no correlation id" in d.reason for d in blind.dead_letters)
