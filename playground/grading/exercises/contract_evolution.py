"""Exercise 09 · rename a field two consumers depend on without breaking either: expand → migrate → contract.

The warehouse wants ``ParcelWeighed`` to carry ``weight_g`` (whole grams)
instead of ``weight_kg``; billing and tracking read ``weight_kg``. The
learner writes the three steps as contracts and code:

* ``EXPANDED`` — version 2 of ``ParcelWeighed``, with both fields;
* ``BILLING_READS`` / ``TRACKING_READS`` — version 2 of each consumer's
  command (its reader schema), and ``MigratedBilling`` / ``MigratedTracking``,
  consumers that read either field;
* ``CONTRACTED`` — version 3, without ``weight_kg``.

Each step is judged twice: by a :class:`~playground.contracts.ContractRegistry`
(expand under FORWARD, because the producer moves first; contract under
BACKWARD, because the consumers moved first; consumers must read every
version still around) and by running the consumers on the events of each
stage, on workloads drawn from the grading seed (the report names it, so a
verdict can be replayed; never the notebook's seed or size), comparing every
fee and every recorded weight with the parcel's true weight. A stage whose run
dead-lettered anything fails first, with the first dead letter's reason
quoted (a float where ParcelTracked declares whole grams, a handler that takes
no field the event carries).
"""

from __future__ import annotations

import random
from typing import Any, Mapping

from playground.catalog import CATALOG
from playground.catalog.base import MessageSpec
from playground.contracts.registry import ContractRegistry
from playground.grading.causes import dead_letter_sentence, handler_error_sentence, verdict_on_run
from playground.grading.checks import Check, Exercise, Failed
from playground.grading.learner import fetch, watched
from playground.grading.unseen import Unseen, label
from playground.scenarios.parcels import PARCEL_REACTIONS, parcel_flow
from playground.services.parcels import Billing, Tracking, fee_for

EVENT = "ParcelWeighed"
READERS = {"BILLING_READS": ("BillParcel", "billing"), "TRACKING_READS": ("TrackParcel", "tracking")}
CONSUMERS = {"MigratedBilling": Billing, "MigratedTracking": Tracking}
#: Each stage runs on a workload drawn from the grading seed: never the notebook's seed (3) nor its 20 parcels.
UNSEEN = Unseen(runs=1, parcels=(25, 40), avoid_seeds={3})


def _registry() -> ContractRegistry:
    # Commands are judged by what they can read (the registry's reaction check), not by a mode.
    return ContractRegistry(CATALOG, reactions=PARCEL_REACTIONS,
                            modes={EVENT: "FORWARD", "BillParcel": "NONE", "TrackParcel": "NONE"})


def _spec(ns: Mapping[str, Any], name: str, contract: str, version: int) -> MessageSpec:
    spec = fetch(ns, name, what="contract")
    if not isinstance(spec, MessageSpec):
        raise Failed(f"`{name}` should be a MessageSpec (build it with replace() from the version it follows), "
                     f"not {type(spec).__name__}")
    if spec.name != contract or spec.version != version:
        raise Failed(f"`{name}` should be version {version} of {contract}, not version {spec.version} of {spec.name}")
    return spec


def _expanded(ns: Mapping[str, Any]) -> MessageSpec:
    spec = _spec(ns, "EXPANDED", EVENT, 2)
    if "weight_g" not in spec.fields:
        raise Failed("EXPANDED has no weight_g field; the change is about carrying the weight in whole grams")
    if spec.fields["weight_g"] is not int:
        raise Failed("weight_g should be a whole number (int): the scales weigh whole grams")
    return spec


def _register(registry: ContractRegistry, spec: MessageSpec, step: str) -> None:
    review = registry.review(spec)
    if not review.ok:
        raise Failed(f"The registry refuses {step}: {review.sentence()}")
    registry.register(spec)


def _after_expand(ns: Mapping[str, Any]) -> ContractRegistry:
    registry = _registry()
    try:
        _register(registry, _expanded(ns), "EXPANDED")
    except Failed:
        raise Failed("this step builds on EXPANDED, which is not right yet; make the expand check pass first") from None
    return registry


def _after_migrate(ns: Mapping[str, Any]) -> ContractRegistry:
    registry = _after_expand(ns)
    try:
        for name, (command, _) in READERS.items():
            _register(registry, _spec(ns, name, command, 2), name)
    except Failed:
        raise Failed("this step builds on BILLING_READS and TRACKING_READS, which are not right yet; make the "
                     "migrate check pass first") from None
    return registry


def _consumers(ns: Mapping[str, Any]) -> dict[str, type]:
    found = {}
    for name, base in CONSUMERS.items():
        cls = fetch(ns, name, what="class", base=base)
        cls()  # an unfinished __init__ is the first thing to report
        found[base.name] = watched(cls)
    return found


def _judge(when: str, catalog, billing: type = Billing, tracking: type = Tracking, hint: str = "") -> None:
    (workload,) = UNSEEN.draw(salt=when)
    result = parcel_flow(catalog=catalog, billing=billing, tracking=tracking, **workload).run()
    where = f"{when} (fresh workload: {label(workload)})"
    learners = {cls.name for cls in (billing, tracking) if cls not in (Billing, Tracking)}
    letters = [d for d in result.dead_letters if " failed on " not in d.reason]
    if letters:  # what a consumer published, or could not read: the first reason says which
        mine = next((d.at for d in letters if d.at in learners), None)
        verdict_on_run(result, service=mine, yours=f"your {mine} service", where=where)
    for cls in (billing, tracking):
        if getattr(cls, "first_error", None) is not None:
            parked = sum(d.at == cls.name for d in result.dead_letters)
            raise Failed(f"{where}, {handler_error_sentence(cls)}, and {parked} messages were dead-lettered at "
                         f"{cls.name} for it{hint}")
    if result.dead_letters:
        raise Failed(f"{where}, {dead_letter_sentence(result.dead_letters)}")
    fees, grams = result.services["billing"].fees, result.services["tracking"].grams
    for parcel, weight in result.extras["grams"].items():
        if parcel not in fees or parcel not in grams:
            who = "billing" if parcel not in fees else "tracking"
            raise Failed(f"{where}, {who} never handled {parcel}; a handler must return its event for every parcel")
        if fees[parcel] != fee_for(weight):
            raise Failed(f"{where}, billing charged {fees[parcel]} for {parcel}, which weighs {weight} g; it should "
                         f"charge {fee_for(weight)} (kilograms are grams / 1000)")
        if grams[parcel] != weight:
            rounding = ROUNDING if grams[parcel] == weight - 1 else ""
            raise Failed(f"{where}, tracking recorded {grams[parcel]} g for {parcel}, which weighs {weight} g{rounding}")


#: Weights (grams) that int(kilograms * 1000) gets wrong by one: floating point lands just below the whole gram.
TRICKY = [g for g in range(100, 30_001) if int(g / 1000 * 1000) != g]
ROUNDING = ("; convert kilograms with round(weight_kg * 1000), not int(): in floating point a weight like "
            "1.001 kg is 1000.9999999999999 g")


def _tracks_old_weights_exactly(tracking: type) -> None:
    """Feed the migrated tracking version-1 payloads whose weights floating point makes awkward."""
    (drawn,) = UNSEEN.draw(salt="awkward weights")
    for grams in random.Random(drawn["seed"]).sample(TRICKY, 12):
        payload = {"parcel_id": "parcel-x", "order_id": "order-x", "weight_kg": grams / 1000}
        recorded = tracking().handle("TrackParcel", payload)[0].payload["grams"]
        if recorded != grams:
            raise Failed(f"Given a version 1 ParcelWeighed of {grams / 1000} kg, MigratedTracking recorded "
                         f"{recorded} g instead of {grams} g{ROUNDING if recorded == grams - 1 else ''}")


def expand(ns: Mapping[str, Any]) -> None:
    registry = _registry()
    _register(registry, _expanded(ns), "EXPANDED")
    _judge("With EXPANDED events and the consumers as they are", registry.catalog())


def migrate(ns: Mapping[str, Any]) -> None:
    registry = _after_expand(ns)
    for name, (command, service) in READERS.items():
        spec = _spec(ns, name, command, 2)
        if "weight_g" not in spec.fields:
            raise Failed(f"{name} does not read weight_g, so {service} cannot move off weight_kg; add weight_g")
        if "weight_kg" in spec.fields and "weight_kg" not in spec.optional:
            raise Failed(f"{name} still requires weight_kg, so {service} could not read an event without it; "
                         "make weight_kg optional")
        _register(registry, spec, name)


def migrated_consumers(ns: Mapping[str, Any]) -> None:
    registry = _after_migrate(ns)
    consumers = _consumers(ns)
    _judge("With version 1 events (still in flight) and your migrated consumers", registry.catalog(**{EVENT: 1}),
           consumers["billing"], consumers["tracking"])
    _judge("With EXPANDED events and your migrated consumers", registry.catalog(),
           consumers["billing"], consumers["tracking"])
    _tracks_old_weights_exactly(fetch(ns, "MigratedTracking", what="class", base=Tracking))


def contract(ns: Mapping[str, Any]) -> None:
    registry = _after_migrate(ns)
    spec = _spec(ns, "CONTRACTED", EVENT, 3)
    if "weight_kg" in spec.fields:
        raise Failed("CONTRACTED still carries weight_kg; the last step removes the old field, now that no consumer "
                     "needs it")
    if spec.fields.get("weight_g") is not int:
        raise Failed("CONTRACTED should keep weight_g as a whole number (int)")
    registry.set_mode(EVENT, "BACKWARD")  # the consumers moved first
    _register(registry, spec, "CONTRACTED")
    consumers = _consumers(ns)
    _judge("With CONTRACTED events and your migrated consumers", registry.catalog(),
           consumers["billing"], consumers["tracking"],
           hint="; version 3 has no weight_kg, so a migrated consumer must use weight_g when it is there")


EXERCISE = Exercise("09_contract_evolution", "Rename a field two consumers read, without breaking either", [
    Check("expand", "expand: version 2 carries both fields and the old consumers keep working", 2, expand),
    Check("migrate", "migrate: each consumer's reader takes weight_g and reads versions 1 and 2", 2, migrate),
    Check("migrated_consumers", "the migrated consumers bill and track correctly on version 1 and 2 events", 3,
          migrated_consumers),
    Check("contract", "contract: version 3 drops weight_kg and every consumer still works", 3, contract),
])
