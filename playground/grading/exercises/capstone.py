"""Exercise 14 · the capstone: a domain from the menu, designed as a hybrid and built with the public API.

The learner names a domain of :mod:`~playground.grading.exercises.capstone_briefs`
in ``DOMAIN`` and writes ``capstone(**params)``, a factory whose scenario runs
the domain in a wiring called ``"hybrid"``. Nothing the notebook runs is
reused here: every check draws its workloads from the grading seed, and the
fault plan the promises are judged under — **the hidden plan** — is drawn
too, over the learner's own services and commands, found from a plain run.
A failure describes the plan; the report records the grading seed, so
``playground grade --seed N`` rebuilds the very same plan.

The checks:

* ``builds_a_hybrid`` — a saga ran and a follower reacted to events; no follower hears a reply from inside
  the saga; the factory honours ``refused=``; every transaction ends one of the brief's two ways;
* ``promises_hold_under_the_hidden_plan`` — the brief's promises (holds undone on failure, kept once on
  success, money given back, the customer told once, after the end) on fresh workloads under the hidden plan:
  duplicated messages, calls that fail after their work, a repeated start;
* ``followers_do_not_hold_the_core`` — with every follower down for a stretch, no transaction ends later;
* ``the_design_fits_the_workbook`` — ``SPEC``, the design in chapter 12's format, is one the workbook finds
  nothing wrong with, it recommends a hybrid, and it matches what was built: the services that hold things are
  steps of an orchestrated all-or-nothing interaction that can undo them, the refusing party is one of its
  capabilities, and the followers are in choreographed interactions;
* ``takes_the_better_column`` — the scorecard: the hybrid, scored on a fresh workload, must take the better
  column of the workbook's two prototypes of ``SPEC`` on every row where they differ and the brief decides —
  fewer services commanded by the conductor than the all-orchestrated prototype (coupling & autonomy), rollback
  logic in one definition, the saga (error handling), every transaction ending, as the refuser decided, with one
  reply of each kind the saga hears lost (the orchestration's column: the choreography leaves it unfinished) and
  with every service of the saga down for forty of its calls (the choreography's column: the prototype's
  deadlines give up and undo work the refuser never refused). The learner states nothing about the scorecard:
  every figure is measured on the build, on a workload and faults drawn when grading, so the prototypes' figures
  the notebook prints cannot pass it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from playground.design.prototype import prototype
from playground.design.recommend import ORCHESTRATE, recommend
from playground.design.spec import ProcessSpec, SpecError, load_spec
from playground.analysis.invariants import compensations_mirror_forward_steps, effects_at_most_once, one_terminal_state
from playground.errors import HorizonExceeded
from playground.grading.causes import dead_letter_sentence, parked_by_orchestrator
from playground.grading.checks import Check, Exercise
from playground.grading.exercises.capstone_briefs import Brief, brief
from playground.grading.learner import Failed, fetch
from playground.grading.unseen import Unseen, on, split
from playground.runtime.fault_rules import Drop, Duplicate, FailCalls
from playground.runtime.faults import FaultPlan
from playground.scenarios.base import Scenario

ORCHESTRATOR = "orchestrator"
#: Seeds the notebook runs: never drawn.
SHOWN = {1, 2, 3, 4, 5, 7}
#: A plain workload, and one with refusals; the hidden plan's knobs ride along with the workloads.
PLAIN = Unseen(runs=1, count=(16, 24), refused=(0.3, 0.5), avoid_seeds=SHOWN)
HIDDEN = Unseen(runs=2, count=(16, 24), refused=(0.25, 0.45), avoid_seeds=SHOWN, pick=(0, 999_999),
                to_follower=(0.3, 0.7), to_core=(0.15, 0.4), starts=(0.2, 0.5), first=(1, 3))
OUTAGE = Unseen(runs=1, count=(24, 32), refused=(0.2, 0.4), avoid_seeds=SHOWN)
KNOBS = ("pick", "to_follower", "to_core", "starts", "first")
#: The scorecard's workload, with which reply is lost and which service of the saga is down, when and how long.
SCORED = Unseen(runs=1, count=(16, 24), refused=(0.25, 0.45), avoid_seeds=SHOWN, nth=(1, 3), at=(0.2, 0.5))
SCORE_KNOBS = ("nth", "at")
#: How long each service of the saga is down in the scorecard's outage, in its own calls (the workbook's outage).
CALLS = 40
#: How much later a transaction may end with the followers down (simulated seconds, plus a share of its time).
SLACK, SHARE = 0.5, 0.05


# -- running the learner's factory ---------------------------------------------------------------------------
def _learner(ns: Mapping[str, Any]) -> tuple[Brief, Any]:
    domain = brief(fetch(ns, "DOMAIN", what="setting"))
    return domain, fetch(ns, "capstone")


def run(ns: Mapping[str, Any], workload: Mapping[str, Any], faults: FaultPlan | None = None, plan: str = ""):
    """The learner's hybrid on ``workload`` (count, refused, seed), under ``faults``; ``plan`` describes them."""
    domain, factory = _learner(ns)
    params = {domain.count: workload["count"], "refused": workload["refused"], "seed": workload["seed"],
              "wiring": "hybrid", "faults": faults}
    try:
        scenario = factory(**params)
    except TypeError as wrong:
        raise Failed(f"`capstone({domain.count}=..., refused=..., seed=..., wiring=\"hybrid\", faults=...)` was "
                     f"refused ({wrong}); the factory passes these arguments to your scenario, as the brief says") from None
    if not isinstance(scenario, Scenario):
        raise Failed(f"`capstone(...)` returned {type(scenario).__name__}; return your Scenario subclass, built "
                     "with the arguments it was given")
    outcomes = set(dict(scenario.terminals).values())
    if outcomes != {domain.success, domain.failure}:
        raise Failed(f"your scenario's terminals end a transaction as {sorted(outcomes)}; the {domain.title.lower()} "
                     f"brief ends one as '{domain.success}' or '{domain.failure}'")
    try:
        result = scenario.run()
    except HorizonExceeded as stuck:
        raise Failed(f"{str(stuck).rstrip('.')}{plan}") from None
    letters = [d for d in result.dead_letters if not parked_by_orchestrator(d)]
    if letters:
        reason = letters[0].reason
        advice = ("fix the spelling" if "did you mean" in reason else
                  "every message must carry the fields its contract declares" if "breaks its contract" in reason else
                  "find what sent it and make it fit the contract")
        raise Failed(f"{dead_letter_sentence(letters)}{plan}; {advice}")
    if len(result.outcomes) != workload["count"]:
        raise Failed(f"asked for {workload['count']} {domain.count}, your scenario began {len(result.outcomes)}; "
                     f"begin one transaction per {domain.count[:-1]} with self.begin(..., id=...)")
    return domain, result, scenario.catalog


def _effects(result, domain: Brief) -> dict[str, list]:
    """Transaction → the brief's effects noted for it, in trace order."""
    found: dict[str, list] = defaultdict(list)
    for e in result.trace.entries:
        if e.kind == "effect" and e.detail.get("effect") in domain.effects:
            key = e.detail.get("key")
            if key not in result.outcomes:
                raise Failed(f"{e.at} noted '{e.detail['effect']}' with the key {key!r}, which is no transaction of "
                             f"the run; key every effect by the transaction's own id (the id= you begin it with)")
            found[key].append(e)
    return found


def broken_promise(result, domain: Brief, plan: str = "") -> str | None:
    """The first of the brief's promises the run broke, as a sentence for the learner (None when all hold)."""
    ended = one_terminal_state(result)
    if ended:
        return f"{ended[0].message.rstrip('.')}{plan}"
    undo = compensations_mirror_forward_steps(result)
    if undo:
        return f"{undo[0].message.rstrip('.')}{plan}"
    effects, ends = _effects(result, domain), {}
    for e in result.trace.entries:
        if e.kind == "send" and e.type in result.terminals:
            ends.setdefault(e.correlation_id, e.time)
    for cid, outcome in sorted(result.outcomes.items()):
        noted = [e.detail for e in effects.get(cid, [])]
        times = {name: sum(d["effect"] == name for d in noted) for name in domain.effects}
        for do, undo_ in domain.holds:
            if outcome == domain.success and (times[do] != 1 or times[undo_]):
                return (f"{cid} was {outcome} with '{do}' noted {times[do]} time(s) and '{undo_}' {times[undo_]}"
                        f"{plan}; a {outcome} transaction holds each thing once and gives nothing back")
            if outcome == domain.failure and (times[do] > 1 or times[undo_] != times[do]):
                return (f"{cid} was {outcome} with '{do}' noted {times[do]} time(s) and '{undo_}' {times[undo_]}"
                        f"{plan}; a {outcome} transaction gives back everything it held, once, and holds nothing twice")
        taken = sum(d.get("amount", 0.0) for d in noted if d["effect"] == domain.money)
        undo_money = dict(domain.holds)[domain.money]
        back = sum(d.get("amount", 0.0) for d in noted if d["effect"] == undo_money)
        if outcome == domain.failure and abs(taken - back) > 0.005:
            return (f"{cid} was {outcome}, yet kept {taken - back:.2f} ('{domain.money}' {taken:.2f}, '{undo_money}' "
                    f"{back:.2f}){plan}; give back exactly the amount taken, with amount= on both effects")
        told = [e for e in effects.get(cid, []) if e.detail["effect"] == domain.tell]
        if len(told) != 1:
            return (f"{cid} noted '{domain.tell}' {len(told)} times{plan}; the customer is told once, however often "
                    "the news arrives")
        said = told[0].detail.get("outcome")
        if said != outcome:
            return (f"{cid} noted '{domain.tell}' with outcome={said!r} but it was {outcome}{plan}; tell the customer "
                    "the way the transaction ended, from the event that announces the end")
        if told[0].time < ends.get(cid, float("inf")):
            return (f"{cid}'s customer was told at {told[0].time:.2f} s, before the transaction ended at "
                    f"{ends[cid]:.2f} s{plan}; tell them after the end is announced, not from a step inside the saga")
    twice = effects_at_most_once(result)
    if twice:
        return f"{twice[0].message.rstrip('.')}{plan}"
    return None


# -- what the run shows about the design ----------------------------------------------------------------------
def roles(result, domain: Brief) -> tuple[set[str], set[str]]:
    """(core services: they note what is held; followers: they note the telling), from a run's effects."""
    core, followers = set(), set()
    holds = {e for pair in domain.holds for e in pair}
    for e in result.trace.entries:
        if e.kind == "effect":
            if e.detail.get("effect") in holds:
                core.add(e.at)
            elif e.detail.get("effect") == domain.tell:
                followers.add(e.at)
    return core, followers - core


def _as_asked(domain: Brief, workload: Mapping[str, Any]) -> dict[str, Any]:
    """The workload as the factory is called with it, for feedback (``requests=20`` rather than ``count=20``)."""
    return {(domain.count if k == "count" else k): v for k, v in workload.items()}


def inside_replies(result) -> set[str]:
    """Ids of the messages that answered a saga step: the saga's inside (its starting message is not one)."""
    first, replies = {}, set()
    for e in result.trace.entries:
        if e.at == ORCHESTRATOR and e.kind == "deliver":
            first.setdefault(e.correlation_id, e.message_id)
        elif e.at == ORCHESTRATOR and e.kind == "step":
            replies.add(e.message_id)
    return replies - set(first.values())


def builds_a_hybrid(ns: Mapping[str, Any]) -> None:
    domain, _ = _learner(ns)
    (workload,) = PLAIN.draw()
    with on(_as_asked(domain, workload)):
        domain, result, catalog = run(ns, workload)
        steps = [e for e in result.trace.entries if e.kind == "step" and e.at == ORCHESTRATOR]
        if not steps:
            raise Failed(f"no saga ran in your hybrid; orchestrate the part of the {domain.title.lower()} that must be "
                         "undone as a unit (orchestrate(bus, services, [YOUR_SAGA], randomness, reactions=...))")
        _, followers = roles(result, domain)
        if not followers:
            raise Failed(f"no service of yours noted '{domain.tell}'; a follower outside the saga tells the customer "
                         "how the transaction ended")
        sends = {e.message_id: e for e in result.trace.entries if e.kind == "send"}
        replies = inside_replies(result)
        for e in result.trace.entries:
            sent = sends.get(e.message_id) if e.kind == "start" and e.at in followers else None
            if sent is None:
                continue
            if sent.at == ORCHESTRATOR and e.type in catalog and catalog[e.type].kind == "command":
                raise Failed(f"{e.at} runs {e.type} as a command of the saga; a follower is not a step of it — let "
                             "it react to the event that announces the end, so the saga never waits for it")
            if e.message_id in replies:
                raise Failed(f"{e.at} reacts to {e.type}, a reply {sent.at} sends to the orchestrator from inside the "
                             "saga; a follower listens only to the saga's announced end, which comes after any undo")
        problem = broken_promise(result, domain, " (no faults at all)")
        if problem:
            raise Failed(problem)
        if domain.failure not in result.outcomes.values():
            raise Failed(f"none of {workload['count']} {domain.count} was {domain.failure} with refused="
                         f"{workload['refused']}; {domain.refuser} must refuse about that share, so the undo is tried")
    calm = {**workload, "refused": 0.0}
    with on(_as_asked(domain, calm)):
        _, result, _ = run(ns, calm)
        refused = sorted(c for c, o in result.outcomes.items() if o != domain.success)
        if refused:
            raise Failed(f"{refused[0]} was {result.outcomes[refused[0]]} although refused=0; only "
                         f"{domain.refuser} refuses, and only the share refused= asks for")


def hidden_plan(result, domain: Brief, knobs: Mapping[str, Any], start: str | None) -> tuple[FaultPlan, str]:
    """The fault plan judged under, drawn over the learner's own components, and how to say it."""
    core, followers = roles(result, domain)
    pick, first = knobs["pick"], knobs["first"]
    does, undoes = (sorted({(e.at, e.type) for e in result.trace.entries
                            if e.kind == "effect" and e.detail.get("effect") in names})
                    for names in ({d for d, _ in domain.holds}, {u for _, u in domain.holds}))
    chosen = [found[pick % len(found)] for found in (does, undoes) if found]
    failures = [FailCalls(service, type=message, after_work=True, nth=(first, first + 2)) for service, message in chosen]
    messages = [Duplicate(inbox=f, fraction=knobs["to_follower"]) for f in sorted(followers)]
    target = sorted(core)[pick % len(core)] if core else None
    if target:
        messages.append(Duplicate(inbox=target, fraction=knobs["to_core"]))
    if start:
        messages.append(Duplicate(type=start, fraction=knobs["starts"]))
    said = [f"{m} failing after its work at calls {first} and {first + 2}" for _, m in chosen]
    said += [f"{knobs['to_follower']:.0%} of the messages to {f} delivered twice" for f in sorted(followers)]
    if target:
        said.append(f"{knobs['to_core']:.0%} of those to {target} twice")
    if start:
        said.append(f"{knobs['starts']:.0%} of the {start} twice")
    return FaultPlan(messages=messages, failures=failures), " under the hidden plan (" + "; ".join(said) + ")"


def promises_hold_under_the_hidden_plan(ns: Mapping[str, Any]) -> None:
    domain, _ = _learner(ns)
    workloads = HIDDEN.draw()
    knobs, first = split(workloads[0], *KNOBS)
    with on(_as_asked(domain, first)):
        domain, plain, _ = run(ns, first)
        problem = broken_promise(plain, domain, " (no faults at all)")
        if problem:
            raise Failed(problem)
    for workload in workloads:
        knobs, params = split(workload, *KNOBS)
        plan, said = hidden_plan(plain, domain, knobs, plain.start)
        with on(_as_asked(domain, params)):
            _, result, _ = run(ns, params, plan, said)
            problem = broken_promise(result, domain, said)
            if problem:
                raise Failed(problem)


def _ends(result) -> dict[str, float]:
    ends: dict[str, float] = {}
    for e in result.trace.entries:
        if e.kind == "send" and e.type in result.terminals:
            ends.setdefault(e.correlation_id, e.time)
    return ends


def followers_do_not_hold_the_core(ns: Mapping[str, Any]) -> None:
    domain, _ = _learner(ns)
    (workload,) = OUTAGE.draw()
    with on(_as_asked(domain, workload)):
        domain, plain, _ = run(ns, workload)
        _, followers = roles(plain, domain)
        if not followers:
            raise Failed(f"no service of yours noted '{domain.tell}', so there is no follower to take down; a "
                         "follower outside the saga tells the customer how the transaction ended")
        begun = {}
        for e in plain.trace.entries:
            if e.kind == "send" and e.correlation_id in plain.outcomes:
                begun.setdefault(e.correlation_id, e.time)
        order = sorted(begun.values())
        window = (order[len(order) // 3], order[2 * len(order) // 3])
        names = " and ".join(sorted(followers))
        said = f" with {names} down from {window[0]:.1f} s to {window[1]:.1f} s"
        _, down, _ = run(ns, workload, FaultPlan(outages={f: [window] for f in followers}), said)
        before, after = _ends(plain), _ends(down)
        for cid in sorted(c for c, t in begun.items() if window[0] <= t < window[1]):
            took = before.get(cid, 0.0) - begun[cid]
            late = after.get(cid, float("inf")) - before.get(cid, 0.0)
            if late > SLACK + SHARE * took:
                when = "never" if cid not in after else f"{late:.1f} s later"
                raise Failed(f"{cid} ended {when}{said} than with them up: the saga waits for a follower; take the "
                             "follower out of the saga and let it react to the announced end")
        problem = broken_promise(down, domain, said)
        if problem:
            raise Failed(problem)


def _spec(ns: Mapping[str, Any]) -> ProcessSpec:
    try:
        return load_spec(fetch(ns, "SPEC", what="setting"))
    except SpecError as refused:
        raise Failed(f"the workbook refuses your SPEC: {str(refused).rstrip('.')}") from None


def the_design_fits_the_workbook(ns: Mapping[str, Any]) -> None:
    domain, _ = _learner(ns)
    spec = _spec(ns)
    advice = recommend(spec)
    if advice.findings:
        raise Failed(f"the workbook finds a problem in your SPEC that no pattern can fix: {advice.findings[0]}")
    patterns = advice.patterns()
    if advice.overall != "hybrid":
        raise Failed(f"the workbook recommends {advice.overall} for every interaction of your SPEC ({patterns}); "
                     "a hybrid needs the part that must be undone as a unit and the telling as separate interactions")
    (workload,) = PLAIN.draw()
    with on(_as_asked(domain, workload)):
        _, result, _ = run(ns, workload)
    core, followers = roles(result, domain)
    conducted = {s.capability: s for i in spec.interactions if patterns[i.name] == ORCHESTRATE
                 and i.needs("all-or-nothing") for s in i.steps}
    danced = {s.capability for i in spec.interactions if patterns[i.name] != ORCHESTRATE for s in i.steps}
    for service in sorted(core):
        if service not in conducted:
            raise Failed(f"your hybrid holds things in {service}, but no orchestrated all-or-nothing interaction of "
                         f"SPEC has a step on the capability {service!r}; name capabilities after your services")
        if not conducted[service].undo:
            raise Failed(f"SPEC's step {conducted[service].name!r} on {service} has no undo, yet your {service} gives "
                         "back what it held; say how it is undone (\"undo\": ...)")
    if not any(spec.capability(c).fails > 0 for c in conducted):
        raise Failed(f"no capability of SPEC's orchestrated interaction refuses (\"fails\": ...), yet {domain.refuser} "
                     f"does; give it the share of {domain.count} it turns down")
    for service in sorted(followers - danced):
        raise Failed(f"{service} tells the customer in your hybrid, but SPEC has no choreographed interaction with a "
                     f"step on {service!r}; describe the telling as an interaction started by the end of the other")


# -- the scorecard ---------------------------------------------------------------------------------------------
def conducted(result, catalog) -> list[str]:
    """The services the orchestrator sends commands to, from a run's trace."""
    found = set()
    for e in result.trace.entries:
        if e.kind == "send" and e.at == ORCHESTRATOR and e.type in catalog and catalog[e.type].kind == "command":
            found.update((e.detail or {}).get("to", ()))
    return sorted(found)


def rollback_homes(result, domain: Brief, catalog) -> dict[str, Any]:
    """Definition that ran an undo → the first undo effect it caused: "the saga", or a service's reactions."""
    compensations = {e.message_id for e in result.trace.entries if e.kind == "compensate" and e.at == ORCHESTRATOR}
    sends = {e.message_id: e for e in result.trace.entries if e.kind == "send"}
    undo = {u for _, u in domain.holds}
    homes: dict[str, Any] = {}
    for e in result.trace.entries:
        if e.kind != "effect" or e.detail.get("effect") not in undo:
            continue
        sent = sends.get(e.message_id)
        command = e.type in catalog and catalog[e.type].kind == "command"
        if e.message_id in compensations:
            home = "the saga"
        elif command and sent is not None:  # a reaction table turned an event into the undo command
            home = f"{sent.at}'s reactions" if sent.at != ORCHESTRATOR else "the saga"
        else:  # the service undid it in a handler of an event
            home = f"{e.at}'s reactions"
        homes.setdefault(home, e)
    return homes


def gave_up(result, domain: Brief, refusals: set[str]) -> dict[str, str]:
    """Transactions that failed though nobody refused them: id → the step the saga gave up on (no reply in time).

    ``refusals`` are the reply types that refuse a step; a transaction that heard one was refused, even when the
    saga retried the refused step and gave up on a later attempt.
    """
    refused, abandoned = set(), {}
    for e in result.trace.entries:
        if e.kind == "send" and e.type in refusals:
            refused.add(e.correlation_id)
        elif e.kind == "step" and e.at == ORCHESTRATOR and e.type is None and (e.detail or {}).get("outcome") == "failed":
            abandoned.setdefault(e.correlation_id, e.detail.get("step"))
    return {cid: step for cid, step in sorted(abandoned.items())
            if cid not in refused and result.outcomes.get(cid) == domain.failure}


def refusal_types(result) -> set[str]:
    """The replies that made a step of the saga fail, in a run."""
    return {e.type for e in result.trace.entries if e.kind == "step" and e.at == ORCHESTRATOR
            and e.type is not None and (e.detail or {}).get("outcome") == "failed"}


def _call_time(result, service: str) -> float:
    """The median simulated seconds ``service`` took per message in a run."""
    began, took = {}, []
    for e in result.trace.entries:
        if e.at == service and e.kind == "start":
            began[e.message_id] = e.time
        elif e.at == service and e.kind == "end" and e.message_id in began:
            took.append(e.time - began.pop(e.message_id))
    took.sort()
    return took[len(took) // 2] if took else 0.0


def _recovered(result, domain: Brief, refusals: set[str], said: Callable[[str], str], fix: str) -> None:
    """Every transaction ended, none failed that the refuser did not refuse, and the promises held.

    ``said(transaction)`` says what the fault did to that transaction, for the feedback.
    """
    stuck = sorted(c for c, o in result.outcomes.items() if o not in (domain.success, domain.failure))
    if stuck:
        raise Failed(f"{stuck[0]} never ended{said(stuck[0])}: your saga waits for a reply that will not come; give "
                     "every step a deadline (timeout=) and a retry, so the command is sent again and your service, "
                     "safe to call twice, answers again")
    for cid, step in gave_up(result, domain, refusals).items():
        raise Failed(f"{cid} was {domain.failure}{said(cid)}, though {domain.refuser} never refused it: your saga gave "
                     f"up on its step '{step}', a deadline turning slow into failed; {fix}")
    problem = broken_promise(result, domain, said(""))
    if problem:
        raise Failed(problem)


def _coupling(plain, catalog, spec: ProcessSpec) -> None:
    """Coupling & autonomy: the conductor commands fewer services than the all-orchestrated prototype's."""
    mine = conducted(plain, catalog)
    sagas = prototype(spec, wiring="orchestration", instances=1).definitions()["sagas"]
    theirs = sorted(set().union(*(saga.services() for saga in sagas)))
    if len(mine) >= len(theirs):
        raise Failed(f"your saga commands {len(mine)} services ({', '.join(mine)}), and the workbook's all-orchestrated "
                     f"prototype of your SPEC, which conducts every interaction, commands {len(theirs)} "
                     f"({', '.join(theirs)}): on the coupling row a hybrid ties fewer teams to the conductor; keep in "
                     "the saga only what must be undone as a unit, and let the others react to its announced end")


def _rollback(plain, domain: Brief, catalog, spec: ProcessSpec) -> None:
    """Error handling: every undo is run by the saga, one definition, as in the all-orchestrated prototype."""
    homes = rollback_homes(plain, domain, catalog)
    others = [h for h in homes if h != "the saga"]
    if others:
        sagas = prototype(spec, wiring="orchestration", instances=1).definitions()["sagas"]
        theirs = sum(1 for saga in sagas if saga.compensable)
        first = homes[others[0]]
        raise Failed(f"{first.detail['key']}'s '{first.detail['effect']}' was run by {others[0]}, so your rollback "
                     f"logic lives in {len(homes)} definitions, where the all-orchestrated column of your scorecard "
                     f"keeps it in {theirs}; undo every held thing from the saga's compensations, which finish before "
                     "the end is announced")


def _lost_reply(ns, params, plain, domain: Brief, knobs: Mapping[str, Any]) -> None:
    """Error handling: a reply of every kind the saga hears, lost once, costs no transaction (the orchestration's column)."""
    replies = sorted({e.type for e in plain.trace.entries if e.kind == "step" and e.at == ORCHESTRATOR
                      and e.type is not None and (e.detail or {}).get("outcome") in ("done", "compensated")})
    if not replies:  # a saga whose steps all answer by correlation alone: nothing of its own to lose
        return
    sent = Counter(e.type for e in plain.trace.entries if e.kind == "send" and e.type in replies)
    nth = {reply: min(knobs["nth"], sent[reply]) for reply in replies}
    plan = FaultPlan(messages=[Drop(type=reply, nth=n) for reply, n in nth.items()])
    said = f" (the grader lost one reply of each kind, the {_ordinal(knobs['nth'])} sent or the last: {', '.join(replies)})"
    _, result, _ = run(ns, params, plan, said)
    lost = {e.correlation_id: e.type for e in result.trace.entries if e.kind == "fault"
            and (e.detail or {}).get("fault") == "drop"}
    _recovered(result, domain, refusal_types(plain), lambda cid: f" after its {lost[cid]} was lost on its way{said}"
               if cid in lost else said, "give the step enough retries that a lost reply is asked for again")


def _outage(ns, params, plain, domain: Brief, catalog, knobs: Mapping[str, Any]) -> None:
    """Scalability & resilience: the saga's services down for a while cost no transaction (the choreography's column)."""
    followers = roles(plain, domain)[1]
    mine = conducted(plain, catalog)
    core = [c for c in mine if c not in followers] or mine
    begun = sorted({e.correlation_id: e.time for e in reversed(plain.trace.entries)
                    if e.kind == "send" and e.correlation_id in plain.outcomes}.values())
    start = round(begun[int(knobs["at"] * len(begun))], 1)
    until = {c: round(start + max(CALLS * _call_time(plain, c), 1.0), 1) for c in core}
    said = (f" with the services of your saga down from {start:.1f} s, each for {CALLS} of its calls ("
            + ", ".join(f"{c} until {until[c]:.1f} s" for c in core) + ")")
    _, result, _ = run(ns, params, FaultPlan(outages={c: [(start, end)] for c, end in until.items()}), said)
    _recovered(result, domain, refusal_types(plain), lambda cid: said, "give the step retries that outlast the "
               "outage, as the choreographed column of your scorecard does by waiting")


def takes_the_better_column(ns: Mapping[str, Any]) -> None:
    domain, _ = _learner(ns)
    spec = _spec(ns)
    (workload,) = SCORED.draw()
    knobs, params = split(workload, *SCORE_KNOBS)
    with on(_as_asked(domain, params)):
        domain, plain, catalog = run(ns, params)
        if not conducted(plain, catalog):
            raise Failed(f"no saga ran in your hybrid, so it has no conductor's column to take; orchestrate the part "
                         f"of the {domain.title.lower()} that must be undone as a unit")
        _coupling(plain, catalog, spec)
        problem = broken_promise(plain, domain, " (no faults at all)")
        if problem:
            raise Failed(problem)
        _rollback(plain, domain, catalog, spec)
        _lost_reply(ns, params, plain, domain, knobs)
        _outage(ns, params, plain, domain, catalog, knobs)


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


EXERCISE = Exercise("14_capstone", "Capstone: a hybrid of your own", [
    Check("builds_a_hybrid", "a saga for the core, followers that hear only its end, refusals as asked", 2,
          builds_a_hybrid),
    Check("promises_hold_under_the_hidden_plan", "the brief's promises hold under a fault plan drawn when grading",
          3, promises_hold_under_the_hidden_plan),
    Check("followers_do_not_hold_the_core", "with every follower down, no transaction ends later", 1,
          followers_do_not_hold_the_core),
    Check("the_design_fits_the_workbook", "the workbook finds the design sound, recommends a hybrid, and it matches "
          "what was built", 1,
          the_design_fits_the_workbook),
    Check("takes_the_better_column", "on the scorecard, the hybrid takes the better column wherever the "
          "workbook's two prototypes differ", 3, takes_the_better_column),
])

__all__ = ["EXERCISE", "broken_promise", "hidden_plan", "inside_replies", "roles", "run"]
