"""Crash the orchestrator at seeded random moments: SQLite loses nothing, memory loses instances."""

from collections import Counter, defaultdict

import pytest

from playground.analysis.invariants import compensations_mirror_forward_steps, effects_at_most_once
from playground.orchestration.host import crash_windows
from playground.orchestration.saga import Retry
from playground.orchestration.store import MemoryStore
from playground.runtime.faults import FaultPlan
from playground.scenarios import travel_booking

TRIPS = 40


def crashing_run(seed, store):
    # Three crashes while trips arrive (two a second for twenty seconds), each down for three seconds.
    windows = crash_windows(seed, 3, within=(2, 18), downtime=3.0)
    return travel_booking(trips=TRIPS, seed=seed, rate=2.0, store=store, fail={"car": 0.3},
                          fail_cancel={"flight": "once"}, timeout=3.0, retry=Retry(count=2, backoff=0.5),
                          faults=FaultPlan(crashes={"orchestrator": windows})).run()


def effects(result):
    table = defaultdict(list)
    for e in result.trace.where(kind="effect"):
        table[(e.at, e.detail["effect"], e.detail["key"])].append(e)
    return table


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_on_sqlite_nothing_is_lost_nothing_done_twice_and_no_compensation_missing(seed, tmp_path):
    result = crashing_run(seed, tmp_path / "sagas.db")
    resumed = [e.detail["instances"] for e in result.trace.where(kind="fault", at="orchestrator")
               if e.detail.get("phase") == "resumed"]
    assert len(resumed) == 3 and sum(resumed) > 0, "the crashes should hit sagas in flight"
    # 0 lost: every trip ended, exactly once, and the store agrees.
    assert set(result.counts()) <= {"completed", "compensated"} and sum(result.counts().values()) == TRIPS
    ends = Counter(e.correlation_id for e in result.trace.where(kind="send", at="orchestrator")
                   if e.type in ("SagaCompleted", "SagaCompensated"))
    assert set(ends.values()) == {1} and len(ends) == TRIPS
    rows = result.extras["orchestrator"].table().rows
    assert Counter(r["state"] for r in rows) == result.counts()
    # 0 steps done twice: each service effect at most once per idempotency key.
    assert all(len(found) == 1 for found in effects(result).values())
    assert effects_at_most_once(result) == []
    # 0 compensations missing: a rolled-back trip released all it held, in reverse order.
    table = effects(result)
    for trip, outcome in result.outcomes.items():
        for service in ("flights", "hotels", "cars"):
            held = (service, "reserve", trip) in table
            released = (service, "release", trip) in table
            assert released == (held and outcome == "compensated"), (trip, service)
    assert compensations_mirror_forward_steps(result) == []


def test_resumed_commands_are_resent_with_the_same_idempotency_key(tmp_path):
    result = crashing_run(12, tmp_path / "sagas.db")
    resends = [e for e in result.trace.where(kind="retry") if e.detail.get("why") == "resumed after a crash"]
    assert resends
    for entry in resends:
        earlier = [e for e in result.trace.where(kind="send", at="orchestrator", type=entry.type,
                                                  correlation_id=entry.correlation_id) if e.seq < entry.seq]
        assert earlier, "a resend repeats a command sent before the crash"
        payloads = {e.message_id: e for e in result.trace.where(kind="send", correlation_id=entry.correlation_id)}
        assert payloads[entry.message_id].type == earlier[0].type


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_same_crashes_with_the_memory_store_lose_instances(seed):
    result = crashing_run(seed, "memory")
    lost = [trip for trip, outcome in result.outcomes.items() if outcome not in ("completed", "compensated")]
    assert lost, "an orchestrator that keeps state only in memory forgets sagas in flight"
    forgotten = [d for d in result.dead_letters if "has no record of it" in d.reason]
    assert {d.envelope.correlation_id for d in forgotten} <= set(lost)
    table = effects(result)
    stranded = [trip for trip in lost if any((s, "reserve", trip) in table and (s, "release", trip) not in table
                                             for s in ("flights", "hotels", "cars"))]
    assert stranded, "some forgotten trips keep reservations nobody will release"
    lost_memory = [e.detail for e in result.trace.where(kind="fault", at="orchestrator")
                   if e.detail.get("phase") == "lost-memory"]
    assert sum(d["instances"] for d in lost_memory) > 0


class CountingStore(MemoryStore):
    """Remembers, at every save, which message ids the saved state knew about and how long the trace was."""

    def __init__(self, trace_length):
        super().__init__()
        self.trace_length = trace_length
        self.saves = []

    def save(self, inst):
        super().save(inst)
        known = {mid for run in inst.all_runs() for mid, _ in run.messages}
        self.saves.append((self.trace_length(), known))


def test_every_command_goes_out_only_after_the_state_that_expects_its_reply_is_saved():
    from playground.scenarios.travel import TravelBooking

    holder = {}

    class Recording(TravelBooking):
        def build_services(self, randomness):
            services = super().build_services(randomness)
            return services

    scenario = Recording(trips=15, seed=3, fail={"hotel": 0.3}, timeout=1.0, retry=Retry(count=1),
                         latency={"hotels": 0.8})
    original = scenario.wirings["orchestration"]

    def wiring(s, bus, services, randomness):
        s.store = holder["store"] = CountingStore(lambda: len(bus.trace))
        original(s, bus, services, randomness)

    scenario.wirings = {"orchestration": wiring}
    result = scenario.run()
    commands = [e for e in result.trace.where(kind="send", at="orchestrator")
                if result.trace.entries[e.seq].type in ("ReserveFlight", "ReserveHotel", "ReserveCar",
                                                         "CancelFlight", "CancelHotel", "CancelCar")]
    assert len(commands) > 45
    saves = holder["store"].saves
    for sent in commands:
        assert any(length <= sent.seq and sent.message_id in known for length, known in saves), sent
