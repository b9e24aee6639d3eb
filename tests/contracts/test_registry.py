"""The governed catalog: owners, version numbers, modes and consumers decide whether a version ships."""

from dataclasses import replace

import pytest

from playground.catalog import CATALOG
from playground.catalog.base import MessageSpec
from playground.contracts.registry import ContractRefused, ContractRegistry
from playground.wiring.choreography import ORDER_REACTIONS

S, N = str, float
WEIGHED = MessageSpec("ParcelWeighed", "event", "warehouse", {"parcel_id": S, "weight_kg": N}, "A parcel was weighed.")
BILL = MessageSpec("BillParcel", "command", "billing", {"parcel_id": S, "weight_kg": N}, "Charge for a parcel.")
TRACK = MessageSpec("TrackParcel", "command", "tracking", {"parcel_id": S}, "Follow a parcel.")
REACTIONS = {"billing": {"ParcelWeighed": "BillParcel"}, "tracking": {"ParcelWeighed": "TrackParcel"}}


def _registry(**kw):
    return ContractRegistry([WEIGHED, BILL, TRACK], reactions=REACTIONS, **kw)


def test_an_optional_field_registers_and_becomes_the_latest_version():
    registry = _registry()
    v2 = replace(WEIGHED, version=2, fields={**WEIGHED.fields, "weight_g": int}, optional=frozenset({"weight_g"}))
    assert registry.register(v2).ok
    assert registry.latest("ParcelWeighed") is v2 and registry.catalog()["ParcelWeighed"] is v2
    assert [v.version for v in registry.versions("ParcelWeighed")] == [1, 2]


def test_a_removal_passes_backward_but_is_refused_for_the_consumer_that_reads_the_field():
    registry = _registry()
    removed = replace(WEIGHED, version=2, fields={"parcel_id": S})
    review = registry.review(removed)
    assert review.compatibility.ok and review.broken == ["billing"]
    with pytest.raises(ContractRefused) as refused:
        registry.register(removed)
    assert str(refused.value) == (
        "ParcelWeighed version 2 cannot ship under BACKWARD: it would break billing (BillParcel, seen in reactions): "
        "field 'weight_kg' is required but version 2 does not have it. Add a new field as optional beside the old one, "
        "let every consumer move to it, then remove the old one.")
    assert registry.latest("ParcelWeighed") is WEIGHED


def test_once_the_consumer_has_moved_the_removal_ships():
    registry = _registry()
    v2 = replace(WEIGHED, version=2, fields={**WEIGHED.fields, "weight_g": int}, optional=frozenset({"weight_g"}))
    registry.register(v2)
    moved = replace(BILL, version=2, fields={"parcel_id": S, "weight_kg": N, "weight_g": int},
                    optional=frozenset({"weight_kg", "weight_g"}))
    assert registry.register(moved).ok
    v3 = replace(v2, version=3, fields={"parcel_id": S, "weight_g": int}, optional=frozenset())
    # The new version requires weight_g, which version 2 may leave out: BACKWARD refuses, the consumers do not.
    review = registry.review(v3)
    assert review.breaks == [] and not review.compatibility.ok
    v3 = replace(v3, optional=frozenset({"weight_g"}))
    assert registry.register(v3).ok


def test_a_consumer_version_that_cannot_read_the_events_it_is_fed_is_refused():
    registry = _registry()
    wrong = replace(BILL, version=2, fields={"parcel_id": S, "weight_g": int})
    review = registry.review(wrong)
    assert review.unreadable == [("billing's BillParcel cannot read ParcelWeighed version 1: field 'weight_g' is "
                                  "required but version 1 does not have it")]


def test_governance_wants_the_owner_and_the_next_version_number():
    review = _registry().review(replace(WEIGHED, owner="billing", version=3))
    assert review.governance == [
        "ParcelWeighed is owned by warehouse; a new owner is a decision to record, not a new version by billing",
        "the next version of ParcelWeighed is 2, not 3"]


def test_modes_are_set_per_contract():
    registry = _registry(modes={"ParcelWeighed": "FORWARD"})
    added = replace(WEIGHED, version=2, fields={**WEIGHED.fields, "weight_g": int})
    assert registry.mode_of("ParcelWeighed") == "FORWARD" and registry.review(added).ok
    registry.set_mode("ParcelWeighed", "FULL")
    assert not registry.review(added).ok


def test_the_gate_reviews_only_what_a_branch_changed_in_the_playground_catalog():
    registry = ContractRegistry(CATALOG, reactions=ORDER_REACTIONS)
    placed = CATALOG["OrderPlaced"]
    branch = [replace(placed, version=2, fields={"order_id": S, "customer": S, "total": N}) if s is placed else s
              for s in CATALOG]
    (review,) = registry.gate(branch)
    assert review.new.name == "OrderPlaced" and review.broken == ["invoices"]
    assert registry.gate(CATALOG) == []


def test_an_unknown_contract_is_named():
    with pytest.raises(Exception, match="No contract called 'Nope' is registered"):
        _registry().versions("Nope")
    with pytest.raises(Exception, match=r"must be a MessageSpec\(...\), not dict"):
        _registry().review({"name": "x"})


def test_require_raises_for_a_refused_branch_and_returns_the_reviews_of_a_good_one():
    registry = _registry()
    good = replace(WEIGHED, version=2, fields={**WEIGHED.fields, "note": S}, optional=frozenset({"note"}))
    assert [r.ok for r in registry.require([good, BILL, TRACK])] == [True]
    with pytest.raises(ContractRefused, match="ParcelWeighed version 2 cannot ship under BACKWARD: it would break billing"):
        registry.require([replace(WEIGHED, version=2, fields={"parcel_id": S})])


def test_mismatches_name_a_reaction_whose_command_cannot_read_its_event():
    assert _registry().mismatches() == []
    registry = ContractRegistry([WEIGHED, replace(BILL, fields={"parcel_id": S, "weight_kg": int})],
                                reactions={**REACTIONS, "audit": {"ParcelWeighed": "LogParcel"}})
    assert registry.mismatches() == [
        "billing's BillParcel cannot read ParcelWeighed: field 'weight_kg' is a whole number for the reader but a "
        "number for the writer",
        "tracking reacts to ParcelWeighed with TrackParcel, which the catalog does not declare",
        "audit reacts to ParcelWeighed with LogParcel, which the catalog does not declare"]


def test_the_catalog_can_pin_an_older_version_for_a_run():
    registry = _registry()
    v2 = replace(WEIGHED, version=2, fields={**WEIGHED.fields, "weight_g": int}, optional=frozenset({"weight_g"}))
    registry.register(v2)
    assert registry.catalog()["ParcelWeighed"] is v2
    assert registry.catalog(ParcelWeighed=1)["ParcelWeighed"] is WEIGHED
    with pytest.raises(Exception, match="ParcelWeighed has no registered version 3; it has 1, 2"):
        registry.catalog(ParcelWeighed=3)
    with pytest.raises(Exception, match="No contract called 'Parcel' is registered"):
        registry.catalog(Parcel=1)
