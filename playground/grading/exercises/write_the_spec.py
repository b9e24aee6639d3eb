"""Exercise 12 · write the spec of a pharmacy's prescription refill, and let its prototype keep the promises.

The learner writes ``CAPABILITIES`` and ``INTERACTIONS``, which a locked cell
joins into ``SPEC``: the process the notebook describes in prose, as a spec
(:mod:`playground.design.spec`). The checks read it four ways:

* the capabilities, interactions and steps the description names, with their teams, latencies, triggers and order;
* the guarantees the business asked for — on the refill, and none that would put a coordinator in the follow-ups;
* the recommendation it leads to (a hybrid: the refill orchestrated, the two messages choreographed);
* its prototype, in the recommended wiring, under faults drawn when grading (an outage of every capability of the
  refill in turn, at a time and for a length drawn then, a lost reply of a drawn step that a machine answers,
  duplicated deliveries),
  judged by the **business's** guarantees — so leaving a promise out of the spec does not make it hold.

Every failure names the workload it happened on, so it can be replayed with the grading seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playground.design import messages as m
from playground.design.guarantees import broken_guarantees
from playground.design.prototype import prototype
from playground.design.recommend import recommend
from playground.design.spec import Interaction, ProcessSpec, SpecError, load_spec
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch
from playground.grading.unseen import Unseen
from playground.runtime.fault_rules import Drop, Duplicate
from playground.runtime.faults import FaultPlan

#: What the description fixes: capability → (team, latency in s, share refused, a person).
CAPABILITIES = {
    "prescriptions": ("dispensary", 0.2, 0.0, False),
    "insurer": ("insurance", 1.5, 0.2, False),
    "pharmacist": ("pharmacy staff", 600.0, 0.1, True),
    "stock": ("warehouse", 0.5, 0.0, False),
    "sms": ("messaging", 0.3, 0.0, False),
    "liaison": ("clinical liaison", 0.5, 0.0, False),
}
#: interaction → (trigger, after, on, [(step, capability)]).
INTERACTIONS = {
    "refill": ("command", None, "completed", [("record", "prescriptions"), ("authorise", "insurer"),
                                              ("check", "pharmacist"), ("reserve", "stock")]),
    "text_patient": ("event", "refill", "completed", [("send_text", "sms")]),
    "tell_doctor": ("event", "refill", "cancelled", [("notify_doctor", "liaison")]),
}
#: What the business asked of the refill.
REFILL_GUARANTEES = {"all-or-nothing", "human decision", "deadline", "audit"}
DEADLINE = 3600.0
#: Guarantees that put a coordinator in an interaction; the follow-ups asked for none.
COORDINATING = ("all-or-nothing", "deadline", "human decision")
#: The notebook's own demonstration runs with seed 12; grading never does.
#: The lost reply is drawn among the steps a machine answers: a person's decision reaches a real engine
#: through its own task list (a Zeebe user task, a Temporal signal), which this suite does not drop, and the
#: playground's saga does not compensate a step it gave up on without a reply.
UNSEEN = Unseen(runs=2, avoid_seeds={12}, instances=(16, 24), start=(0.2, 0.5), width=(2.0, 3.5),
                lost=["record", "authorise", "reserve"], duplicated=(0.1, 0.3))


def _spec(ns: Mapping[str, Any]) -> ProcessSpec:
    given = fetch(ns, "SPEC", what="dict")
    if isinstance(given, dict) and not given.get("capabilities") and not given.get("interactions"):
        raise Failed("`SPEC` is still the starter's, with no capabilities and no interactions: replace the "
                     "`raise NotImplementedError()` stubs in the CAPABILITIES and INTERACTIONS cells with your lists")
    try:
        return load_spec(given)
    except SpecError as refused:
        raise Failed(f"load_spec refuses your spec: {str(refused).rstrip('.')}") from None
    except Exception:
        raise Failed("`CAPABILITIES` and `INTERACTIONS` should be lists of dicts like the chapter's specs, "
                     f"joined into `SPEC` by the cell after them; `SPEC` is {type(given).__name__}") from None


def spec_describes_the_process(ns: Mapping[str, Any]) -> None:
    spec = _spec(ns)
    names = [c.name for c in spec.capabilities]
    for name, (team, latency, fails, human) in CAPABILITIES.items():
        if name not in names:
            raise Failed(f"CAPABILITIES has no capability called '{name}'; the description names six: "
                         f"{', '.join(CAPABILITIES)}")
        c = spec.capability(name)
        if c.team != team:
            raise Failed(f"The capability '{name}' belongs to the team '{team}' in the description, not '{c.team}'")
        if abs(c.latency - latency) > 1e-9 or abs(c.fails - fails) > 1e-9:
            raise Failed(f"The capability '{name}' takes {latency:g} s a call and refuses {fails:.0%} of them in "
                         f"the description; CAPABILITIES says {c.latency:g} s and {c.fails:.0%}")
        if c.human != human:
            raise Failed(f"The capability '{name}' is {'' if human else 'not '}a person in the description; set "
                         f"\"human\": {str(human).lower()}")
    for name, (trigger, after, on, steps) in INTERACTIONS.items():
        found = [i for i in spec.interactions if i.name == name]
        if not found:
            raise Failed(f"INTERACTIONS has no interaction called '{name}'; the description names three: "
                         f"{', '.join(INTERACTIONS)}")
        i = found[0]
        if i.trigger != trigger or i.after != after or i.on != on:
            when = f"when the refill is {on}" if trigger == "event" else f"with a {trigger}"
            raise Failed(f"In the description, the interaction '{name}' starts {when}; check its trigger"
                         + (", after and on" if trigger == "event" else ""))
        got = [(s.name, s.capability) for s in i.steps]
        if got != steps:
            raise Failed(f"The interaction '{name}' should run {' → '.join(f'{s} at {c}' for s, c in steps)}, in "
                         f"that order; INTERACTIONS has {' → '.join(f'{s} at {c}' for s, c in got)}")


def _refill(spec: ProcessSpec) -> Interaction:
    found = [i for i in spec.interactions if i.name == "refill"]
    if not found:
        raise Failed("INTERACTIONS has no interaction called 'refill'; the guarantees belong to it")
    return found[0]


def guarantees_as_asked(ns: Mapping[str, Any]) -> None:
    spec = _spec(ns)
    refill = _refill(spec)
    missing = sorted(REFILL_GUARANTEES - set(refill.guarantees))
    if missing:
        raise Failed(f"The refill does not name the guarantee '{missing[0]}', which the description asks for; "
                     "read the description's promises again")
    if refill.deadline != DEADLINE:
        raise Failed(f"The refill's deadline is {refill.deadline:g} s, but the patient must have an answer within "
                     f"an hour ({DEADLINE:g} s)")
    for i in spec.interactions:
        extra = [g for g in i.guarantees if g in COORDINATING]
        if i.name != "refill" and extra:
            raise Failed(f"The interaction '{i.name}' names '{extra[0]}', which the description does not ask of a "
                         "message sent after the fact; leave its guarantees empty so nothing coordinates it")


def recommendation_is_a_hybrid(ns: Mapping[str, Any]) -> None:
    spec = _spec(ns)
    advice = recommend(spec)
    picked = advice.patterns()
    if picked.get("refill") != "orchestrate":
        raise Failed("The workbook recommends choreographing the refill; a refill the business wants all-or-nothing, "
                     "decided by a person within an hour, needs the guarantees that say so")
    wrong = sorted(n for n, p in picked.items() if n != "refill" and p != "choreograph")
    if wrong:
        raise Failed(f"The workbook recommends orchestrating '{wrong[0]}', a message sent once the refill has ended; "
                     "drop the guarantees that ask for a coordinator there")
    if advice.findings:
        raise Failed(f"The workbook finds a promise the spec cannot keep: {advice.findings[0].text.rstrip('.')}")


def _business(spec: ProcessSpec) -> ProcessSpec:
    """The learner's spec with the refill's guarantees as the business asked: what the prototype is judged by."""
    inters = tuple(Interaction(i.name, i.trigger, i.steps, tuple(sorted(REFILL_GUARANTEES)), DEADLINE, i.after, i.on)
                   if i.name == "refill" else i for i in spec.interactions)
    return ProcessSpec(spec.name, spec.capabilities, inters, spec.description)


def _plans(spec: ProcessSpec, workload: dict[str, Any], span: float) -> dict[str, FaultPlan]:
    refill = _refill(spec)
    start, width = workload["start"] * span, workload["width"] * DEADLINE
    plans = {f"{c} down from {start:.0f} s to {start + width:.0f} s": FaultPlan(outages={c: [(start, start + width)]})
             for c in dict.fromkeys(s.capability for s in refill.steps)}
    lost = next((s for s in refill.steps if s.name == workload["lost"]), refill.steps[0])
    plans[f"the first {m.done(lost)} lost"] = FaultPlan(messages=[Drop(type=m.done(lost), count=1)])
    plans[f"{workload['duplicated']:.0%} of deliveries duplicated"] = FaultPlan(
        messages=[Duplicate(fraction=workload["duplicated"])])
    return plans


def prototype_keeps_the_promises(ns: Mapping[str, Any]) -> None:
    spec = _spec(ns)
    judge = _business(spec)
    for workload in UNSEEN.draw():
        scenario = prototype(spec, wiring="recommended", instances=workload["instances"], seed=workload["seed"])
        span = workload["instances"] / scenario.rate
        for fault, plan in _plans(spec, workload, span).items():
            run = prototype(spec, wiring="recommended", instances=workload["instances"], seed=workload["seed"],
                            faults=plan).run()
            for guarantee, found in broken_guarantees(judge, run).items():
                if found:
                    where = f"{workload['instances']} refills, seed {workload['seed']}, {fault}"
                    raise Failed(f"With your spec's prototype ({where}), {len(found)} refill(s) broke "
                                 f"{guarantee}: {found[0].message.rstrip('.')}; {_hint(guarantee)}")


def _hint(guarantee: str) -> str:
    return {
        "all-or-nothing": "a step whose success arrives after the saga gave up can only be taken back if the spec "
                          "says how to undo it",
        "deadline": "only a coordinator with a timer per refill gives up in time; the refill's guarantees decide "
                    "that",
        "human decision": "the pharmacist must be asked once, before anything after the check happens",
        "audit": "every refill must announce one end",
        "ordering": "each step must wait for the one before it",
    }[guarantee]


EXERCISE = Exercise("12_write_the_spec", "Write the spec of a prescription refill", [
    Check("spec_describes_the_process", "SPEC describes the capabilities, interactions and steps of the description",
          3, spec_describes_the_process),
    Check("guarantees_as_asked", "the refill names the guarantees the business asked for, the messages none", 2,
          guarantees_as_asked),
    Check("recommendation_is_a_hybrid", "the workbook recommends a hybrid and finds nothing the spec cannot keep", 1,
          recommendation_is_a_hybrid),
    Check("prototype_keeps_the_promises", "the recommended prototype keeps the business's guarantees under faults "
          "drawn at grading time", 4, prototype_keeps_the_promises),
])

