"""Hand-written faust agents join a run as consumers.

Breaking the rules of the stream stops the run with the fix; a bad message (one the agent sends, or one
its code raises on) is dead-lettered with its reason and the run goes on, as everywhere else on the bus.
"""

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


def _sending(payload_for, type_="PointsAwarded"):
    """An agent that sends ``type_`` with ``payload_for(event)`` once per OrderCompleted."""
    def factory(app, events, send):
        @app.agent(events)
        async def award(stream):
            async for event in stream:
                send(type_, payload_for(event), cause=event)

        return award

    return factory


def _reasons(result):
    return [(d.at, d.envelope.type, d.reason) for d in result.dead_letters]


def test_a_misspelled_type_the_agent_sends_is_dead_lettered_with_the_closest_name():
    full = lambda e: {"order_id": e.payload["order_id"], "customer": e.payload["customer"], "points": 1}  # noqa: E731
    result = order_flow(orders=6, seed=1, agents=[points(_sending(full, "PointsAwardd"))]).run()
    assert result.counts() == {"completed": 6}  # the run went on: every order still completed
    assert _reasons(result) == [("points", "PointsAwardd",
                                 "unknown message type 'PointsAwardd' (did you mean 'PointsAwarded'?)")] * 6


@pytest.mark.parametrize("payload_for, reason", [
    (lambda e: {"order_id": e.payload["order_id"], "points": 3},
     "PointsAwarded from points breaks its contract: field 'customer' is missing"),
    (lambda e: {"order_id": e.payload["order_id"], "customer": e.payload["customer"], "points": 2.5},
     "PointsAwarded from points breaks its contract: field 'points' should be a whole number, not float (2.5)"),
    (lambda e: [e.payload["order_id"], 3],
     "PointsAwarded from points breaks its contract: payload should be a mapping of fields, not list"),
])
def test_a_payload_that_breaks_its_contract_is_dead_lettered_where_it_was_sent(payload_for, reason):
    result = order_flow(orders=5, seed=2, agents=[points(_sending(payload_for))]).run()
    assert result.counts() == {"completed": 5}
    assert _reasons(result) == [("points", "PointsAwarded", reason)] * 5
    assert not result.trace.where(kind="send", type="PointsAwarded")  # nothing malformed reached the bus


def test_an_exception_on_one_event_dead_letters_that_event_and_the_agent_goes_on():
    """The agent raises on every third order; those events are parked, every other order earns its points."""
    def picky(app, events, send):
        seen = []  # in the factory: survives the restarts

        @app.agent(events)
        async def award(stream):
            async for event in stream:
                seen.append(event.correlation_id)
                if len(seen) % 3 == 0:
                    raise KeyError("amount")
                send("PointsAwarded", {"order_id": event.payload["order_id"], "customer": event.payload["customer"],
                                       "points": 1}, cause=event)

        return award

    result = order_flow(orders=9, seed=3, agents=[points(picky)]).run()
    assert result.counts() == {"completed": 9}
    parked = [d.envelope.correlation_id for d in result.dead_letters]
    awarded = [e.correlation_id for e in result.trace.where(kind="send", type="PointsAwarded")]
    assert len(parked) == 3 and len(awarded) == 6 and not set(parked) & set(awarded)
    assert {d.reason for d in result.dead_letters} == {"the points agent failed on OrderCompleted: KeyError: 'amount'"}
    # a parked event is not counted as handled; every other one is
    assert len(result.trace.where(kind="end", at="points")) == 6


def test_an_exception_before_the_agent_reads_any_event_still_stops_the_run():
    def broken(app, events, send):
        @app.agent(events)
        async def award(stream):
            raise RuntimeError("no table")
            async for _event in stream:  # never reached
                pass

        return award

    with pytest.raises(RuntimeError, match="no table"):
        order_flow(orders=2, seed=1, agents=[points(broken)]).run()


def test_a_consumer_hearing_an_unknown_event_is_refused_before_the_run():
    with pytest.raises(ScenarioError, match="did you mean 'OrderCompleted'"):
        order_flow(orders=1, seed=1, agents=[FaustConsumer("points", points_agent, hears=["OrderComplete"])]).run()
