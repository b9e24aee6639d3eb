"""The parcel flow: the warehouse writes the run's version of ParcelWeighed; consumers read it through their commands."""

from dataclasses import replace

import pytest

from playground.catalog import CATALOG
from playground.contracts.registry import ContractRegistry
from playground.errors import ScenarioError
from playground.scenarios.parcels import parcel_flow
from playground.services.parcels import Billing, Tracking, fee_for

V1 = CATALOG["ParcelWeighed"]


def _catalog(*specs):
    registry = ContractRegistry(CATALOG, mode="NONE")
    for spec in specs:
        registry.register(spec)
    return registry.catalog()


def test_every_parcel_is_billed_and_tracked_from_its_true_weight():
    result = parcel_flow(parcels=25, seed=4).run()
    weights = result.extras["grams"]
    assert len(weights) == 25 and result.dead_letters == []
    assert result.services["billing"].fees == {p: fee_for(g) for p, g in weights.items()}
    assert result.services["tracking"].grams == weights


def test_a_command_field_marked_optional_may_be_missing_from_the_event():
    reads_both = replace(CATALOG["TrackParcel"], version=2, fields={**CATALOG["TrackParcel"].fields, "weight_g": int},
                         optional=frozenset({"weight_g"}))

    class Either(Tracking):
        def track(self, parcel_id, order_id, weight_kg, weight_g=None):
            return self.record(parcel_id, weight_g if weight_g is not None else round(weight_kg * 1000))

    result = parcel_flow(parcels=10, seed=4, catalog=_catalog(reads_both), tracking=Either).run()
    assert result.dead_letters == [] and result.services["tracking"].grams == result.extras["grams"]


def test_a_field_the_warehouse_cannot_fill_dead_letters_its_command_with_the_reason():
    odd = replace(V1, version=2, fields={**V1.fields, "colour": str})
    result = parcel_flow(parcels=3, seed=4, catalog=_catalog(odd)).run()
    assert {d.reason for d in result.dead_letters} == {
        "the warehouse service failed on WeighParcel: the warehouse cannot fill field 'colour' of ParcelWeighed "
        "version 2; it knows parcel_id, order_id, weight_kg, weight_g"}


def test_bad_parameters_are_refused():
    with pytest.raises(ScenarioError, match="billing must be a class based on Billing"):
        parcel_flow(billing=Tracking)
    with pytest.raises(ScenarioError, match="catalog must be a Catalog"):
        parcel_flow(catalog={})
    with pytest.raises(ScenarioError, match="no parameter called 'weight'"):
        parcel_flow(weight=3)
    assert parcel_flow(billing=Billing).billing is Billing
