"""Hand-written faust agents join a run as consumers; their mistakes stop the run with the fix."""

import pytest

from learner_code import points_agent
from playground import AgentError, Duplicate, FaultPlan, FaustConsumer, ScenarioError, check, order_flow


def points(factory=points_agent):
    return FaustConsumer("points", factory, hears=["OrderCompleted"])


def test_a_hand_written_agent_hears_every_completed_order_and_leaves_the_flow_unchanged():
    plain = order_flow(orders=30, seed=4, decline_rate=0.2).run()
    joined = order_flow(orders=30, seed=4, decline_rate=0.2, agents=[points()]).run()
    awarded = joined.trace.where(kind="send", type="PointsAwarded")
    completed = {o for o, end in joined.outcomes.items() if end == "completed"}
    assert {e.correlation_id for e in awarded} == completed and len(awarded) == len(completed)
    assert joined.outcomes == plain.outcomes
    # its deliveries and handling are in the trace like any service's
    assert len(joined.trace.where(kind="end", at="points")) == len(completed)
    assert all(not found for found in check(joined).values())


def test_the_agent_runs_once_per_event_under_duplicates_and_the_run_is_deterministic():
    plan = FaultPlan(messages=[Duplicate(type="OrderCompleted", inbox="points", fraction=0.5)])
    runs = [order_flow(orders=30, seed=5, faults=plan, agents=[points()]).run() for _ in range(2)]
    assert runs[0].trace.digest() == runs[1].trace.digest()
    handled = runs[0].trace.where(kind="end", at="points")
    assert len(handled) > 30  # the duplicates reached the agent
    assert len(runs[0].trace.where(kind="send", type="PointsAwarded")) == 30


def test_the_agent_also_joins_an_orchestrated_run():
    result = order_flow(orders=10, seed=2, wiring="orchestration", agents=[points()]).run()
    assert len(result.trace.where(kind="send", type="PointsAwarded")) == 10


def test_an_agent_that_never_iterates_its_stream_says_so():
    def lazy(app, events, send):
        @app.agent(events)
        async def award(stream):
            return None

        return award

    with pytest.raises(AgentError, match="returned without reading its stream.*async for event in stream"):
        order_flow(orders=3, seed=1, agents=[points(lazy)]).run()


def test_an_agent_that_iterates_with_a_plain_for_is_told_to_use_async_for():
    def sync_loop(app, events, send):
        @app.agent(events)
        async def award(stream):
            for event in stream:  # noqa: B007 (the learner's mistake under test)
                pass

        return award

    with pytest.raises(AgentError, match="write `async for event in stream:`"):
        order_flow(orders=3, seed=1, agents=[points(sync_loop)]).run()


def test_an_agent_reading_another_channel_or_declaring_none_is_refused():
    def elsewhere(app, events, send):
        @app.agent(app.channel())
        async def award(stream):
            async for event in stream:  # noqa: B007 (an agent that ignores what it reads)
                pass

        return award

    def none(app, events, send):
        return None

    with pytest.raises(AgentError, match="@app.agent\\(events\\)"):
        order_flow(orders=1, seed=1, agents=[points(elsewhere)]).run()
    with pytest.raises(AgentError, match="declared 0 agents"):
        order_flow(orders=1, seed=1, agents=[points(none)]).run()


def test_an_agent_sending_a_misspelled_type_hears_the_closest_name():
    def typo(app, events, send):
        @app.agent(events)
        async def award(stream):
            async for event in stream:
                send("PointsAwardd", {}, cause=event)

        return award

    with pytest.raises(AgentError, match="did you mean 'PointsAwarded'"):
        order_flow(orders=1, seed=1, agents=[points(typo)]).run()


def test_a_consumer_hearing_an_unknown_event_is_refused_before_the_run():
    with pytest.raises(ScenarioError, match="did you mean 'OrderCompleted'"):
        order_flow(orders=1, seed=1, agents=[FaustConsumer("points", points_agent, hears=["OrderComplete"])]).run()
