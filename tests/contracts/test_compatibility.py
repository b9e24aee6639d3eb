"""Every compatibility mode with a version pair it accepts and one it refuses, plus the reader/writer rules."""

from dataclasses import replace

import pytest

from playground.catalog.base import Catalog, MessageSpec
from playground.contracts.compatibility import (MODES, UnknownMode, breaking_consumers, compatibility, consumers_of,
                                                field_changes, read_problems)
from playground.scenarios import order_flow
from playground.scenarios.ping_pong import ping_pong
from playground.wiring.choreography import ORDER_REACTIONS

V1 = MessageSpec("ParcelWeighed", "event", "warehouse", {"parcel_id": str, "weight_kg": float}, "A parcel was weighed.")
#: an optional field added: every mode accepts it
ADDED_OPTIONAL = replace(V1, version=2, fields={**V1.fields, "weight_g": int}, optional=frozenset({"weight_g"}))
#: a required field added: old readers ignore it (FORWARD), the new reader cannot read old payloads (not BACKWARD)
ADDED_REQUIRED = replace(V1, version=2, fields={**V1.fields, "weight_g": int})
#: a required field removed: the new reader does not miss it (BACKWARD), old readers do (not FORWARD)
REMOVED = replace(V1, version=2, fields={"parcel_id": str})
RENAMED = replace(V1, version=2, fields={"parcel_id": str, "weight_g": float})
RETYPED = replace(V1, version=2, fields={"parcel_id": str, "weight_kg": str})


def _verdicts(new, history):
    return {mode: compatibility(new, history, mode).ok for mode in MODES}


def test_an_optional_field_passes_every_mode():
    assert all(_verdicts(ADDED_OPTIONAL, [V1]).values())


def test_a_new_required_field_is_forward_but_not_backward_compatible():
    assert _verdicts(ADDED_REQUIRED, [V1]) == {
        "BACKWARD": False, "FORWARD": True, "FULL": False, "BACKWARD_TRANSITIVE": False,
        "FORWARD_TRANSITIVE": True, "FULL_TRANSITIVE": False, "NONE": True}
    (problem,) = compatibility(ADDED_REQUIRED, [V1], "BACKWARD").problems
    assert problem == "version 2 cannot read version 1: field 'weight_g' is required but version 1 does not have it"


def test_a_removed_required_field_is_backward_but_not_forward_compatible():
    assert _verdicts(REMOVED, [V1]) == {
        "BACKWARD": True, "FORWARD": False, "FULL": False, "BACKWARD_TRANSITIVE": True,
        "FORWARD_TRANSITIVE": False, "FULL_TRANSITIVE": False, "NONE": True}


@pytest.mark.parametrize("new", [RENAMED, RETYPED], ids=["renamed", "retyped"])
def test_renaming_or_retyping_a_required_field_fails_every_mode_but_none(new):
    assert _verdicts(new, [V1]) == {mode: mode == "NONE" for mode in MODES}


def test_widening_a_whole_number_to_a_number_reads_old_payloads_but_old_readers_refuse_new_ones():
    counted = MessageSpec("Counted", "event", "t", {"n": int}, "x")
    widened = replace(counted, version=2, fields={"n": float})
    assert compatibility(widened, [counted], "BACKWARD").ok
    assert compatibility(widened, [counted], "FORWARD").problems == [
        "version 1 cannot read version 2: field 'n' is a whole number for the reader but a number for the writer"]


def test_a_field_made_optional_is_backward_compatible_only():
    loosened = replace(V1, version=2, optional=frozenset({"weight_kg"}))
    assert compatibility(loosened, [V1], "BACKWARD").ok
    assert compatibility(loosened, [V1], "FORWARD").problems == [
        "version 1 cannot read version 2: field 'weight_kg' is required but version 2 may leave it out"]


# Transitive modes: v1 {a}; v2 {a, b?}; v3 {b?}. v3 against v2 alone is FORWARD-fine only if v2 lets `a` go...
A1 = MessageSpec("T", "event", "t", {"a": str}, "x")
A2 = replace(A1, version=2, fields={"a": str, "b": str}, optional=frozenset({"a", "b"}))
A3 = replace(A1, version=3, fields={"b": str}, optional=frozenset({"b"}))


def test_transitive_forward_remembers_readers_of_every_older_version():
    assert compatibility(A3, [A1, A2], "FORWARD").ok          # v2's reader has `a` optional
    transitive = compatibility(A3, [A1, A2], "FORWARD_TRANSITIVE")
    assert transitive.problems == ["version 1 cannot read version 3: field 'a' is required but version 3 does not have it"]
    assert not compatibility(A3, [A1, A2], "FULL_TRANSITIVE").ok and compatibility(A3, [A1, A2], "FULL").ok


def test_transitive_backward_reads_every_older_version():
    b1 = MessageSpec("U", "event", "t", {"a": str}, "x", optional=frozenset({"a"}))
    b2 = replace(b1, version=2, fields={}, optional=frozenset())
    b3 = replace(b1, version=3, fields={"a": int}, optional=frozenset({"a"}))
    assert compatibility(b3, [b1, b2], "BACKWARD").ok          # v2 never writes `a`
    assert compatibility(b3, [b1, b2], "BACKWARD_TRANSITIVE").problems == [
        "version 3 cannot read version 1: field 'a' is a whole number for the reader but text for the writer"]
    assert not compatibility(b3, [b1, b2], "FULL_TRANSITIVE").ok


def test_an_unknown_mode_is_refused_in_one_sentence():
    with pytest.raises(UnknownMode, match="no compatibility mode called 'SIDEWAYS'; choose from BACKWARD, FORWARD"):
        compatibility(V1, [V1], "SIDEWAYS")
    assert compatibility(ADDED_OPTIONAL, [V1], "full").mode == "FULL"


def test_extra_writer_fields_are_ignored_and_optional_reader_fields_may_be_missing():
    reader = MessageSpec("R", "event", "t", {"id": str, "note": str}, "x", optional=frozenset({"note"}))
    writer = MessageSpec("R", "event", "t", {"id": str, "colour": str}, "x")
    assert read_problems(reader, writer) == []


def test_field_changes_name_each_change():
    assert field_changes(V1, RENAMED) == ["added required weight_g: a number", "removed weight_kg"]
    assert field_changes(V1, ADDED_OPTIONAL) == ["added optional weight_g: a whole number"]


def test_consumers_come_from_the_reaction_tables_and_from_traffic():
    run = order_flow(orders=3, seed=1).run()
    found = consumers_of("OrderPlaced", reactions=ORDER_REACTIONS, traffic=run)
    assert [(c.name, c.command, c.seen_in) for c in found] == [("invoices", "CreateInvoice", ("reactions", "traffic"))]
    # A consumer nobody declared in these tables still shows up in the traffic.
    looping = ping_pong(orders=1, horizon=3).run
    with pytest.raises(Exception) as stopped:
        looping()
    seen = consumers_of("PaymentReceived", reactions=ORDER_REACTIONS, traffic=stopped.value.trace)
    assert {(c.name, c.command, c.seen_in) for c in seen} == {
        ("invoices", "MarkInvoicePaid", ("reactions",)), ("invoices", "CreateInvoice", ("traffic",))}


def test_breaking_consumers_names_who_needs_a_removed_field():
    from playground.catalog import CATALOG

    placed = CATALOG["OrderPlaced"]
    without_amount = replace(placed, version=2, fields={"order_id": str, "customer": str})
    (broken,) = breaking_consumers(without_amount, CATALOG, reactions=ORDER_REACTIONS)
    assert str(broken) == ("invoices (CreateInvoice, seen in reactions): field 'amount' is required but "
                           "version 2 does not have it")
    with_note = replace(placed, version=2, fields={**placed.fields, "note": str}, optional=frozenset({"note"}))
    assert breaking_consumers(with_note, CATALOG, reactions=ORDER_REACTIONS) == []
    assert breaking_consumers(with_note, Catalog([with_note]), reactions=ORDER_REACTIONS)[0].problems == [
        "its command 'CreateInvoice' is not in the catalog"]
