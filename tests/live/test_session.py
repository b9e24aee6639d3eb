"""Live sessions: the order flow in scaled real time, acted on while it runs (each test takes ~1-2 s)."""

import asyncio

import pytest

from playground.analysis.metrics import down_windows
from playground.errors import PlaygroundError
from playground.live.session import LiveSession
from playground.live.settings import Settings

FAST = dict(rate=2.0, speed=50.0)  # 100 simulated seconds in 2 wall seconds


def test_crashing_email_raises_its_backlog_and_restoring_drains_it_while_orders_keep_completing(eventually):
    async def main():
        session = LiveSession(Settings(**FAST))
        await session.start()
        counts = session.refresh
        assert await eventually(lambda: counts()["completed"] >= 3)
        session.crash("email")
        before = counts()["completed"]
        piled = await eventually(lambda: counts() and session.tally.backlog["email"] >= 10)
        # The choreography keeps completing orders while confirmations wait.
        kept_going = counts()["completed"] >= before + 5
        session.restore("email")
        drained = await eventually(lambda: counts() and session.tally.backlog["email"] <= 1)
        await session.stop()
        return piled, kept_going, drained

    assert asyncio.run(main()) == (True, True, True)


def test_a_crashed_orchestrator_stops_the_orchestrated_flow_until_it_is_restored(eventually):
    async def main():
        session = LiveSession(Settings(wiring="orchestration", **FAST))
        await session.start()
        counts = session.refresh
        assert await eventually(lambda: counts()["completed"] >= 3)
        session.crash("orchestrator")
        piled = await eventually(lambda: counts() and session.tally.backlog["orchestrator"] >= 5)
        stalled = counts()["completed"]
        await asyncio.sleep(0.2)
        still = counts()["completed"]
        session.restore("orchestrator")
        resumed = await eventually(lambda: counts()["completed"] >= still + 3)
        await session.stop()
        kinds = [e.detail.get("phase") for e in session.bus.trace.where(kind="fault", at="orchestrator")]
        return piled, still - stalled, resumed, kinds

    piled, moved, resumed, kinds = asyncio.run(main())
    assert piled and resumed
    assert moved <= 1  # at most a CompleteOrder already on its way when the orchestrator went down
    assert kinds[:2] == ["down", "lost-memory"] and "resumed" in kinds


def test_saga_timeouts_run_on_the_session_clock_not_the_wall_clock():
    async def main():
        settings = Settings(wiring="orchestration", rate=1.0, speed=20.0, timeout=2.0, latency={"payments": 3.0})
        session = LiveSession(settings)
        await session.start()
        await asyncio.sleep(0.8)
        await session.stop()
        return session.bus.trace

    trace = asyncio.run(main())
    charges = {e.correlation_id: e.time for e in trace.where(kind="send", type="ChargePayment")}
    waits = [e.time - charges[e.correlation_id] for e in trace.where(kind="timeout")
             if e.detail["step"] == "payment" and not e.detail.get("undo") and e.correlation_id in charges]
    assert waits, "payments take 3 s and the timeout is 2 s: every payment step should time out"
    # 2 simulated seconds are 100 ms of wall time; allow half a second of wall time for a busy machine
    # (it reached 4 simulated seconds once), but a timer on the wrong clock would fire at once (0 s) or
    # 20 times too late (40 s).
    assert all(1.9 <= w <= 12.0 for w in waits), waits


def test_stopping_leaves_nothing_running_and_a_session_runs_once():
    async def main():
        session = LiveSession(Settings(**FAST))
        with pytest.raises(PlaygroundError, match="press start"):
            session.place_order()
        await session.start()
        await asyncio.sleep(0.2)
        session.place_order()
        await session.stop()
        await asyncio.sleep(0.05)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        with pytest.raises(PlaygroundError, match="runs once"):
            await session.start()
        return left, session

    left, session = asyncio.run(main())
    assert left == []
    assert session.state == "stopped" and session.placed >= 2
    assert session.result().counts()["completed"] >= 1


def test_latency_and_failure_rates_change_while_running():
    async def main():
        session = LiveSession(Settings(**FAST))
        await session.start()
        session.set_latency("shipping", "2-3")
        session.set_failure_rate("invoices", 0.5)
        await asyncio.sleep(0.5)
        await session.stop()
        return session

    session = asyncio.run(main())
    trace = session.bus.trace
    failures = [e for e in trace.where(kind="fault", at="invoices") if e.detail["fault"] == "fail"]
    assert failures and all(e.kind == "fault" for e in failures)
    starts = {e.message_id: e.time for e in trace.where(kind="start", at="shipping")}
    took = [e.time - starts[e.message_id] for e in trace.where(kind="end", at="shipping") if e.message_id in starts]
    assert took and min(took) >= 1.9  # scaled wall time can only add to a 2-3 s latency
    with pytest.raises(PlaygroundError, match="no service called"):
        session.set_latency("mail", 1)


def test_a_snapshot_taken_while_a_service_is_down_ends_its_outage_at_the_snapshot(eventually):
    async def main():
        session = LiveSession(Settings(**FAST))
        await session.start()
        await asyncio.sleep(0.1)
        session.crash("email")
        await asyncio.sleep(0.2)
        snapshot = session.result()
        await session.stop()
        return snapshot

    snapshot = asyncio.run(main())
    ((start, end),) = down_windows(snapshot, "email")
    assert 0 < start < end == snapshot.finished_at
