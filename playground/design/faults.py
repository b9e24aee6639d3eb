"""The standard fault suite a prototype is measured under: five named plans, derived from the spec.

Every plan hits the same calls and messages in both wirings (rules pick
commands with ``command=`` and message types both wirings send), and every
window is placed inside the span in which the workload starts instances:

* ``"duplicated deliveries"`` — one message in ten, of every type, arrives twice;
* ``"failure after work"`` — the second call of every step of the entry interaction fails after its effect,
  so the message comes back (a capability that is not idempotent does the step twice);
* ``"outage"`` — the capability of the entry's slowest step takes nothing from its inbox for a while
  (twice its deadline, or forty calls' worth of its latency when it has none), starting a third of the way
  into the workload;
* ``"lost reply"`` — the first reply of the entry's second step (its first step when it has one) never
  arrives;
* ``"crash"`` — the entry's first capability stops, losing the work in hand, for twenty calls' worth of its
  latency, halfway into the workload.

>>> from playground.design.spec import load_spec
>>> spec = load_spec({"name": "shop", "capabilities": [{"name": "orders", "team": "shop", "latency": 0.1}],
...     "interactions": [{"name": "checkout", "trigger": "command", "steps": [{"name": "place", "capability": "orders"}]}]})
>>> suite = fault_suite(spec, instances=40, rate=1.0)
>>> list(suite)
['duplicated deliveries', 'failure after work', 'outage', 'lost reply', 'crash']
>>> suite["outage"]
FaultPlan(outages={'orders': [(13.333333, 17.333333)]})
"""

from __future__ import annotations

from playground.design import messages as m
from playground.design.spec import ProcessSpec
from playground.runtime.fault_rules import Drop, Duplicate, FailCalls
from playground.runtime.faults import FaultPlan

#: The names of the standard suite, in the order it runs.
SUITE_NAMES = ("duplicated deliveries", "failure after work", "outage", "lost reply", "crash")


def fault_suite(spec: ProcessSpec, *, instances: int, rate: float) -> dict[str, FaultPlan]:
    """The standard suite for ``spec`` when ``instances`` instances start at ``rate`` per simulated second."""
    entry = spec.entry
    span = instances / rate
    slowest = max(entry.steps, key=lambda s: spec.capability(s.capability).latency)
    slow = spec.capability(slowest.capability)
    width = 2 * entry.deadline if entry.deadline is not None else 40 * slow.latency
    first = spec.capability(entry.steps[0].capability)
    answered = entry.steps[1] if len(entry.steps) > 1 else entry.steps[0]
    return {
        "duplicated deliveries": FaultPlan(messages=[Duplicate(fraction=0.1)]),
        "failure after work": FaultPlan(failures=[FailCalls(s.capability, command=m.do(s), nth=2, after_work=True)
                                                  for s in entry.steps]),
        "outage": FaultPlan(outages={slow.name: [_window(span / 3, width)]}),
        "lost reply": FaultPlan(messages=[Drop(type=m.done(answered), count=1)]),
        "crash": FaultPlan(crashes={first.name: [_window(span / 2, 20 * first.latency)]}),
    }


def _window(start: float, width: float) -> tuple[float, float]:
    return round(start, 6), round(start + width, 6)
