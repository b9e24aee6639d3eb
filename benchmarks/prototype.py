"""Benchmark: the chapter 12 workbook's answer time — spec, prototype, both wirings run, scorecard.

Run with ``python benchmarks/prototype.py``. For a process of five steps
(one interaction, all-or-nothing with a deadline, one refusing capability)
and 1,000 instances per run, prints the wall time of

* **build**: reading the spec, the recommendation, the generated catalog, services and sagas;
* **both wirings**: one plain run of each (the least a prototype must do);
* **measure**: ``measure_prototype`` — chapter 10's scorecard of both wirings (plain runs, the five
  faults of the standard suite, 1, 2 and 4 workers, the engine at one worker, the outage round,
  two change requests priced) and the recommended wiring under the same suite;

and one goal, printed with met or MISSED: the whole of it (build + measure) in at most 5 s, so the
workbook answers while the learner waits. The plain runs are the baseline in the same process: the
ratio says how much the measurement costs on top of running the prototype once per wiring.
"""

from __future__ import annotations

import argparse
import time

from _goals import compare, goal, scaled

from playground.design.measure import measure_prototype
from playground.design.prototype import prototype
from playground.design.recommend import recommend
from playground.design.spec import load_spec
from playground.design.wiring import reactions, sagas

GOAL_INSTANCES, GOAL_SECONDS = 1_000, 5.0

FIVE_STEPS = {
    "name": "fivestep",
    "capabilities": [{"name": f"c{k}", "team": f"team {k}", "latency": 0.05 * k, "fails": 0.05 if k == 4 else 0}
                     for k in range(1, 6)],
    "interactions": [{"name": "flow", "trigger": "command", "guarantees": ["all-or-nothing", "deadline", "audit"],
                      "deadline": 10, "steps": [{"name": f"s{k}", "capability": f"c{k}",
                                                 **({"undo": f"undo s{k}"} if k < 5 else {})} for k in range(1, 6)]}],
}


def build() -> object:
    spec = load_spec(FIVE_STEPS)
    names = [i.name for i in spec.interactions]
    return recommend(spec), reactions(spec, names), sagas(spec, names), prototype(spec).build_services(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=GOAL_INSTANCES, help="instances per run")
    parser.add_argument("--quick", action="store_true", help="20 instances: checks the script runs")
    args = parser.parse_args()
    n = 20 if args.quick else args.instances
    spec = load_spec(FIVE_STEPS)
    prototype(spec, instances=5).run()  # warm-up: imports, lazy settings
    stages = {}
    start = time.perf_counter()
    build()
    stages["build"] = time.perf_counter() - start
    plain = compare({"both wirings": lambda: [prototype(spec, wiring=w, instances=n, seed=1).run()
                                              for w in ("orchestration", "choreography")]}, rounds=1)
    stages["both wirings"] = plain["both wirings"].wall
    found = {}
    timed = compare({"measure": lambda: found.setdefault("m", measure_prototype(spec, instances=n, seed=1))},
                    rounds=1)
    stages["measure"] = timed["measure"].wall
    runs = found["m"].card.details["run count"] + len(found["m"].suite)
    print(f"spec → prototype → both wirings → scorecard: 5 steps, {n:,} instances per run, one round")
    print(f"  build         {stages['build'] * 1000:8.1f} ms  (spec, recommendation, catalog, services, sagas)")
    print(f"  both wirings  {stages['both wirings']:8.2f} s   (one plain run each: the baseline)")
    print(f"  measure       {stages['measure']:8.2f} s   ({runs} runs: the scorecard's and the recommended "
          "wiring under the fault suite)")
    total = stages["build"] + stages["measure"]
    print(f"  measure / baseline {stages['measure'] / stages['both wirings']:.1f}x; guarantees broken, "
          f"orchestration {found['m'].total('orchestration')}, choreography {found['m'].total('choreography')}")
    limit, note = scaled(GOAL_SECONDS, n, GOAL_INSTANCES, f"{GOAL_INSTANCES:,} instances ≤ {GOAL_SECONDS:g} s")
    goal(f"spec to scorecard, {n:,} instances (wall)", total, limit, " s", note=note)


if __name__ == "__main__":
    main()
