import json

import pytest

from playground.runtime.trace import KINDS, Trace


def test_entries_are_numbered_in_order_and_serialise_stably():
    trace = Trace()
    trace.record(0.5, "send", "orders", "OrderPlaced", "m1", "o1", None, {"to": ["invoices"]})
    trace.record(0.5, "deliver", "invoices", "OrderPlaced", "m1", "o1", None)
    assert [e.seq for e in trace.entries] == [0, 1]
    lines = trace.to_jsonl().splitlines()
    assert json.loads(lines[0])["detail"] == {"to": ["invoices"]}
    copy = Trace()
    copy.record(0.5, "send", "orders", "OrderPlaced", "m1", "o1", None, {"to": ["invoices"]})
    copy.record(0.5, "deliver", "invoices", "OrderPlaced", "m1", "o1", None)
    assert copy.digest() == trace.digest()
    copy.record(0.6, "end", "invoices")
    assert copy.digest() != trace.digest()


def test_entries_stay_current_while_recording_continues():
    trace = Trace()
    trace.record(0.0, "send", "a")
    assert len(trace.entries) == 1
    trace.record(1.0, "deliver", "b")
    assert [e.kind for e in trace.entries] == ["send", "deliver"]
    assert trace.where(at="b")[0].seq == 1


def test_every_kind_the_runtime_records_is_documented(small_run):
    assert set(small_run.trace.kinds()) <= set(KINDS)


def test_a_story_stays_aligned_when_a_component_name_is_long():
    trace = Trace()
    trace.record(1.0, "send", "orchestrator", "ChargePayment", "m000002", "order-1", "m000001", {"to": ["payments"]})
    trace.record(1.0, "send", "orders", "OrderPlaced", "m000001", "order-1", None, {"to": ["orchestrator"]})
    lines = str(trace.story("order-1")).splitlines()
    starts = {line.index(kind) for line, kind in zip(lines[1:], ("ChargePayment", "OrderPlaced"))}
    assert len(starts) == 1 and lines[0].index("type") in starts


def test_a_story_stays_aligned_past_100000_seconds_and_with_long_message_types():
    trace = Trace()
    trace.record(5.0, "send", "port", "Docked", "m000001", "ship-1", None, None)
    trace.record(162145.685, "send", "hotels", "HotelCancellationFailedTwice", "m000002", "ship-1", "m000001", None)
    trace.record(201600.0, "deliver", "orchestrator", "Docked", "m000001", "ship-1", None, None)
    lines = str(trace.story("ship-1", kinds=("send", "deliver"))).splitlines()
    for column, cells in (("time", ("5.000", "162145.685", "201600.000")), ("kind", ("send", "send", "deliver")),
                          ("message", ("m000001", "m000002", "m000001"))):
        ends = {line.index(cell) + (len(cell) if column == "time" else 0) for line, cell in zip(lines[1:], cells)}
        header = lines[0].index(column) + (len(column) if column == "time" else 0)
        assert ends == {header}, (column, lines)


def test_a_story_for_an_id_that_is_not_there_says_which_ids_are():
    from playground.errors import UnknownTransaction
    from playground.scenarios import order_flow

    trace = order_flow(orders=50, seed=1).run().trace
    with pytest.raises(UnknownTransaction) as asked:
        trace.story("order-42")
    assert str(asked.value) == ("No message in this trace carries 'order-42'; its 50 ids run from order-0001 to "
                                "order-0050 — did you mean 'order-0042'?")
    with pytest.raises(UnknownTransaction, match="its 50 ids run from order-0001 to order-0050.$"):
        trace.story("trip-7")
    assert trace.story("order-0042")  # the real id still tells its story
    assert trace.story("order-0042", kinds=("timeout",)) == []  # an id that is there, with no such entries
