"""Benchmark: 10,000 travel sagas on simulated time, against the same steps without a state machine.

Run with ``python benchmarks/travel_sagas.py``. Three ways to book the same
trips (flight → hotel → car, same arrivals, same seeded processing times,
each service one reservation at a time), all in the same process:

* **ours** — the travel scenario: one ``transitions`` machine serving every
  trip, the orchestrator's bookkeeping and store, services on the bus, the trace;
* **coroutine orchestrator** — the same bus, services and trace, but each trip
  is a plain coroutine that sends a command, awaits its reply, and announces
  the trip's end (``SagaCompleted``, as ours does): the ratio ours/this is what
  the state machine and the saga bookkeeping cost;
* **bare coroutines** — no bus at all: each trip awaits three locked sleeps;
  the ratio ours/this is the whole simulation's cost over the bare schedule.

The sides take turns for ``--rounds`` rounds with the heap collected and the
previous result dropped before each run, and the checks on each result outside
the timed section (see ``_goals.compare``); each figure is the median. Goals,
printed with met or MISSED, each on CPU and on wall time (CPU is the
steadier on a shared machine; the load average is printed before and after):
ours ≤ 1.3× the coroutine orchestrator, and 10,000 sagas ≤ 2 s.

``--profile`` prints where the time of one "ours" run goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats

from _goals import compare, goal, load_average, scaled
from playground.transport.bus import Bus
from playground.runtime.clock import run_simulated
from playground.runtime.envelope import Envelope
from playground.runtime.latency import as_latency
from playground.runtime.randomness import Randomness
from playground.scenarios import travel_booking
from playground.scenarios.travel import STEPS, TRAVEL_LATENCY, TravelBooking
from playground.services import Service
from playground.wiring.host import ServiceHost

RATE = 2.0  # trips per simulated second: every service stays below full load
GOAL_TRIPS = 10_000


def _bare(trips: int, seed: int):
    """Each trip a coroutine awaiting the three services in turn; a service is a lock around a sleep."""

    async def main() -> None:
        randomness = Randomness(seed)
        workload = randomness.stream("workload")
        services = [service for _, service in STEPS.values()]
        latency = {s: as_latency(TRAVEL_LATENCY[s]) for s in services}
        rngs = {s: randomness.stream(f"latency:{s}") for s in services}
        locks = {s: asyncio.Lock() for s in services}

        async def call(service: str) -> None:
            async with locks[service]:
                await asyncio.sleep(latency[service].sample(rngs[service]))

        async def trip() -> None:
            for service in services:
                await call(service)

        tasks = []
        for _ in range(trips):
            await asyncio.sleep(workload.expovariate(RATE))
            workload.randrange(1, 201)  # the traveller draw the scenario makes
            tasks.append(asyncio.create_task(trip()))
        await asyncio.gather(*tasks)

    return main


class CoroutineOrchestrated(TravelBooking):
    """The travel scenario with each trip run by a plain coroutine instead of the saga machine."""

    name = "travel booking (coroutines)"


def _coroutines(scenario: CoroutineOrchestrated, bus: Bus, services: dict[str, Service], randomness: Randomness) -> None:
    for name, service in services.items():
        ServiceHost(service, bus, latency_rng=randomness.stream(f"latency:{name}")).attach()
    waiting: dict[str, asyncio.Future] = {}
    loop = asyncio.get_running_loop()

    async def trip(start: Envelope) -> None:
        cause = start
        for _, (thing, _) in STEPS.items():
            command = bus.message(f"Reserve{thing}", dict(start.payload), sender="orchestrator", cause=cause,
                                  correlation_id=start.correlation_id)
            waiting[command.message_id] = future = loop.create_future()
            bus.publish(command)
            cause = await future
        # Announce the end as ours does, so both finish every trip (and publish as many messages).
        bus.publish(bus.message("SagaCompleted", {"instance": start.correlation_id, "saga": "trip"},
                                sender="orchestrator", correlation_id=start.correlation_id, cause=cause))
        bus.release()

    async def inbox(envelope: Envelope) -> None:
        bus.deliver(envelope, "orchestrator")
        if envelope.type == "BookTrip":
            bus.hold()  # the trip is work in flight until its coroutine ends
            loop.create_task(trip(envelope))
        else:
            waiting.pop(envelope.causation_id).set_result(envelope)

    bus.add_inbox("orchestrator", inbox)
    bus.subscribe("orchestrator", *(f"{thing}Reserved" for thing, _ in STEPS.values()))


CoroutineOrchestrated.wirings = {"orchestration": _coroutines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=GOAL_TRIPS)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds in which the three sides take turns; each figure is the median")
    parser.add_argument("--quick", action="store_true", help="20 trips, one round: checks the script runs")
    parser.add_argument("--profile", action="store_true", help="also profile one run of ours")
    args = parser.parse_args()
    trips, rounds, seed = (20, 1, 7) if args.quick else (args.trips, args.rounds, 7)
    travel_booking(trips=20, seed=1).run()  # warm-up: imports and faust's lazy settings
    horizon = 10 * trips / RATE + 3600
    print(f"travel sagas; {load_average()}")

    def check(name: str, result) -> None:  # outside the timed section
        if name in ("ours", "coroutines"):
            assert result.counts() == {"completed": trips}, result.counts()
            assert sum(1 for e in result.trace.raw() if e[1] == "effect") == 3 * trips

    times = compare({
        "ours": lambda: travel_booking(trips=trips, seed=seed, rate=RATE).run(),
        "coroutines": lambda: CoroutineOrchestrated(trips=trips, seed=seed, rate=RATE).run(),
        "bare": lambda: run_simulated(_bare(trips, seed), horizon=horizon),
    }, rounds, check)
    ours, coro, bare = times["ours"], times["coroutines"], times["bare"]
    print(f"{trips:,} travel sagas (flight → hotel → car) on simulated time, {RATE:g} trips/s; "
          f"median of {rounds} round(s), sides taking turns, heap collected before each run")
    print(f"{'':48} {'wall':>8} {'cpu':>8} {'ours/this (wall, cpu)':>23}")
    print(f"  {'ours: one transitions machine for all trips':46} {ours.wall:7.3f}s {ours.cpu:7.3f}s")
    print(f"  {'coroutine orchestrator on the same bus':46} {coro.wall:7.3f}s {coro.cpu:7.3f}s"
          f" {ours.wall / coro.wall:10.2f}x {ours.cpu / coro.cpu:6.2f}x")
    print(f"  {'bare coroutines (locks and sleeps, no bus)':46} {bare.wall:7.3f}s {bare.cpu:7.3f}s"
          f" {ours.wall / bare.wall:10.2f}x {ours.cpu / bare.cpu:6.2f}x")
    small = f"quick run: {trips} trips, start-up weighs more" if args.quick else None
    # CPU seconds are the steadier figure on a shared machine (wall time also counts the time others ran).
    goal("ours / coroutine orchestrator (cpu)", ours.cpu / coro.cpu, 1.3, "x", note=small)
    goal("ours / coroutine orchestrator (wall)", ours.wall / coro.wall, 1.3, "x", note=small)
    limit, note = scaled(2.0, trips, GOAL_TRIPS, f"{GOAL_TRIPS:,} sagas ≤ 2 s")
    goal(f"{trips:,} sagas, ours (cpu)", ours.cpu, limit, " s", note=note)
    goal(f"{trips:,} sagas, ours (wall)", ours.wall, limit, " s", note=note)
    print(f"after: {load_average()}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        travel_booking(trips=trips, seed=seed, rate=RATE).run()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
