"""The catalog checks payloads against contracts quickly and names the closest declared type for a typo."""

import pytest

from playground.catalog import CATALOG, Catalog, MessageSpec, UnknownMessageType

SPEC = MessageSpec("Parcel", "event", "post", {"parcel_id": str, "weight": float, "count": int, "fragile": bool},
                   "A parcel was posted.", optional=frozenset({"fragile"}))
PARCELS = Catalog([SPEC])


class Label(str):
    """A str subclass: the fast path does not know it, the full check accepts it."""


@pytest.mark.parametrize("payload", [
    {"parcel_id": "p1", "weight": 1.5, "count": 2},
    {"parcel_id": "p1", "weight": 2, "count": 2, "fragile": False},
    {"parcel_id": Label("p1"), "weight": 1.5, "count": 2},
    {"parcel_id": "p1", "weight": 1.5, "count": True},
    {"parcel_id": "p1", "weight": True, "count": 2},
    {"parcel_id": "p1", "weight": 1.5},
    {"parcel_id": "p1", "weight": 1.5, "count": 2, "fragile": None},
    ["not", "a", "mapping"],
])
def test_the_fast_path_agrees_with_the_full_check(payload):
    assert PARCELS.contract_problem("Parcel", payload) == SPEC.problem_with(payload)


def test_a_broken_payload_is_named_and_an_unknown_type_is_left_to_routing():
    assert PARCELS.contract_problem("Parcel", {"parcel_id": "p1", "weight": 1.5}) == "field 'count' is missing"
    assert PARCELS.contract_problem("Letter", {"anything": 1}) is None


def test_a_misspelled_type_names_the_closest_declared_one():
    with pytest.raises(UnknownMessageType, match=r"No message type called 'OrderPlace' .*\(did you mean 'OrderPlaced'\?\)"):
        CATALOG["OrderPlace"]
    assert CATALOG.closest("PointAwarded") == "PointsAwarded"
    assert CATALOG.closest("Zzzz") is None
