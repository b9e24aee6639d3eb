import hashlib
import json
import math
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from playground.errors import ScenarioError
from playground.runtime.trace import Trace, TraceEntry, spill_options
from playground.runtime.trace_store import Block


@dataclass
class Money:
    """A detail value marshal cannot write (it has ``to_dict``), as a learner's service might note."""

    amount: float

    def to_dict(self):
        return {"amount": self.amount}


NAMES = st.sampled_from(["send", "deliver", "orders", "invoices", "OrderPlaced", "é-ß"])
IDS = st.one_of(st.none(), st.from_regex(r"[a-z]{0,3}-?[0-9]{1,15}", fullmatch=True), st.text(max_size=5))
PLAIN = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6)
DETAILS = st.one_of(st.none(), PLAIN, st.builds(Money, st.floats(allow_nan=False)),
                    st.dictionaries(st.sampled_from(["to", "key", "fault"]), PLAIN, max_size=3))
TIMES = st.one_of(st.floats(allow_nan=False), st.integers(0, 5))  # an int time must stay an int
ROWS = st.lists(st.tuples(TIMES, NAMES, NAMES, st.one_of(st.none(), NAMES), IDS, IDS, IDS, DETAILS), max_size=40)


def reference_jsonl(rows):
    """The JSON lines of the list-of-tuples trace, written the way they always were: json.dumps of each entry."""
    return "".join(json.dumps(TraceEntry(seq, *row)._asdict(), sort_keys=False, separators=(",", ":"),
                              default=lambda v: sorted(v) if isinstance(v, (set, frozenset)) else v.to_dict()) + "\n"
                   for seq, row in enumerate(rows))


def reference_digest(rows):
    """The digest of the list-of-tuples trace, computed the way it always was."""
    return hashlib.sha256(reference_jsonl(rows).encode()).hexdigest()[:16]


def exact(value):
    """A value's repr with its types spelled out, so 1, 1.0 and True differ (and -0.0 from 0.0)."""
    return repr(value) + "|" + json.dumps(value, default=lambda v: v.to_dict(), sort_keys=False)


def filled(rows, cls=Trace, **options):
    trace = cls(**options)
    for row in rows:
        trace.record(*row)
    return trace


def with_shared_details(rows):
    """Every third detail is the object the entry before it holds, as the bus shares its routing notes."""
    rows = list(rows)
    for i in range(1, len(rows), 3):
        rows[i] = (*rows[i][:7], rows[i - 1][7])
    return rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS.map(with_shared_details))
def test_compact_and_spilled_traces_give_back_exactly_what_was_recorded(rows, tmp_path, monkeypatch):
    monkeypatch.setattr(Trace, "BLOCK", 4)
    monkeypatch.setattr(Trace, "READ_CACHE", 0)  # every read builds entries from the compact form
    expected = reference_digest(rows)
    for options in ({}, {"spill_to": tmp_path / "t.trace", "in_memory": 0}, {"spill_to": tmp_path / "u.trace", "in_memory": 9}):
        trace = filled(rows, **options)
        assert trace.digest() == expected
        assert trace.to_jsonl() == reference_jsonl(rows) == "".join(e.to_json() + "\n" for e in trace)
        assert [exact(tuple(e)) for e in trace] == [exact((seq, *row)) for seq, row in enumerate(rows)]
        assert len(trace) == len(trace.entries) == len(rows)


def test_a_shared_detail_stays_shared_within_a_block():
    note = {"to": ["invoices"]}
    trace = Trace()
    for i in range(Trace.BLOCK + 1):
        trace.record(float(i), "send", "orders", "OrderPlaced", f"m{i:06d}", "order-1", None, note)
    first, second = trace.entries[0], trace.entries[1]
    assert first.detail == note and first.detail is second.detail


class Kept(Trace):
    """A trace that keeps the entries it builds, however long, as every short trace does."""

    READ_CACHE = 10 ** 9


@pytest.fixture
def long_trace(monkeypatch, tmp_path):
    """50 orders' entries: kept as a short trace is, and spilled in blocks of 64, nothing kept after a read."""
    from playground.scenarios import order_flow

    rows = list(order_flow(orders=50, seed=3, decline_rate=0.3).run().trace.raw())
    monkeypatch.setattr(Trace, "BLOCK", 64)
    monkeypatch.setattr(Trace, "READ_CACHE", 0)
    return filled(rows, cls=Kept), filled(rows, spill_to=tmp_path / "orders.trace", in_memory=200)


def test_a_long_trace_answers_every_question_as_a_short_one_does(long_trace):
    short, spilled = long_trace
    assert spilled._store.spilled and isinstance(spilled._store.blocks[-1], Block)
    assert sum(isinstance(b, Block) for b in spilled._store.blocks) <= 200 // 64
    assert spilled.digest() == short.digest() and spilled.to_jsonl() == short.to_jsonl()
    for match in ({"kind": "effect"}, {"correlation_id": "order-0007"}, {"kind": "send", "type": "PaymentFailed"},
                  {"message_id": "m000040"}, {"at": "nobody"}, {"seq": 3}, {"causation_id": None, "kind": "send"},
                  {"detail": {"command": "ShipOrder"}}):
        assert spilled.where(**match) == short.where(**match), match
    assert spilled.kinds() == short.kinds() and list(spilled.kinds()) == list(short.kinds())
    assert spilled.correlation_ids() == short.correlation_ids()
    assert str(spilled.story("order-0012")) == str(short.story("order-0012"))
    fields = ("seq", "kind", "correlation_id", "detail")
    assert list(spilled.fields(*fields, kinds=["effect", "dead_letter"])) == list(short.fields(*fields, kinds=["effect", "dead_letter"]))
    assert list(spilled.raw()) == list(short.raw())


def test_the_entries_of_a_long_trace_index_and_slice_like_a_list(long_trace):
    short, spilled = long_trace
    entries, wanted = spilled.entries, short.entries
    assert isinstance(wanted, list) and not isinstance(entries, list)
    for i in (0, 63, 64, 65, 1000, len(wanted) - 1, -1, -65):
        assert entries[i] == wanted[i]
    assert entries[60:70] == wanted[60:70] and entries[-5:] == wanted[-5:] and entries[::500] == wanted[::500]
    with pytest.raises(IndexError, match=f"the trace has {len(wanted):,} entries"):
        entries[len(wanted)]
    rows, plain = spilled.raw(), [tuple(e)[1:] for e in wanted]
    assert len(rows) == len(plain) and rows[-1] == plain[-1] and rows[100] == plain[100] and rows[5:9] == plain[5:9]


def test_fields_refuses_a_field_an_entry_does_not_have():
    with pytest.raises(ValueError, match="A trace entry has no field 'kinds'; its fields are seq, time"):
        list(Trace().fields("kinds"))


def test_a_digest_is_kept_until_the_trace_grows(monkeypatch):
    monkeypatch.setattr(Trace, "BLOCK", 2)
    rows = [(float(t), "send", "a", "T", f"m{t}", "c", None, {"to": ["b"]}) for t in range(5)]
    trace = filled(rows[:3])
    assert trace.digest() == trace.digest() == reference_digest(rows[:3])
    for row in rows[3:]:
        trace.record(*row)
    assert trace.digest() == reference_digest(rows)


def test_a_small_store_decodes_each_block_once_and_a_long_one_only_the_last(monkeypatch):
    monkeypatch.setattr(Trace, "BLOCK", 2)
    rows = [(float(t), "send", "a", "T", f"m{t}", "c", None, None) for t in range(6)]
    store = filled(rows)._store
    first = store.rows(0)
    assert store.rows(1) == rows[2:4] and store.rows(0) is first == rows[:2]
    monkeypatch.setattr(type(store), "KEEP_DECODED", 2)  # three blocks: more than a small store keeps
    store = filled(rows)._store
    first = store.rows(0)
    assert [store.rows(i) for i in range(3)] == [rows[:2], rows[2:4], rows[4:]]
    assert store.rows(0) == first and store.rows(0) is not first and not store._decoded_all
    store = filled(rows[:4])._store
    store.rows(0)
    store.add([rows[4]])  # the store grows past the size it keeps decoded blocks for: they are let go
    assert not store._decoded_all


def test_recording_on_after_a_read_keeps_the_entries_current(monkeypatch):
    monkeypatch.setattr(Trace, "BLOCK", 2)
    trace = Trace()
    trace.record(0.0, "send", "a")
    assert [e.seq for e in trace.entries] == [0]
    for t in (1.0, 2.0, math.inf):
        trace.record(t, "deliver", "b")
    assert [e.time for e in trace] == [0.0, 1.0, 2.0, math.inf]


@pytest.mark.parametrize("spill_to, in_memory, says", [
    (None, 10, "in_memory= says how many trace entries stay in memory while the rest go to a file; give spill_to= a file as well."),
    (3, None, "spill_to= takes the path of a file to write the trace to, e.g. 'run.trace', not 3."),
    ("", None, "spill_to= takes the path of a file to write the trace to, e.g. 'run.trace', not ''."),
    ("{tmp}", None, "spill_to='{tmp}' is a folder; name a file inside it, e.g. '{tmp}/run.trace'."),
    ("{tmp}/no/such/run.trace", None, "spill_to='{tmp}/no/such/run.trace' is in a folder that does not exist; "
                                       "create the folder first or name a file in an existing one."),
    ("{tmp}/run.trace", -1, "in_memory= must be a whole number of trace entries of at least 0, not -1."),
    ("{tmp}/run.trace", 2.5, "in_memory= must be a whole number of trace entries of at least 0, not 2.5."),
])
def test_bad_spill_options_are_refused_in_one_sentence(spill_to, in_memory, says, tmp_path):
    if isinstance(spill_to, str):
        spill_to = spill_to.format(tmp=tmp_path)
    with pytest.raises(ScenarioError) as refused:
        Trace(spill_to=spill_to, in_memory=in_memory)
    assert str(refused.value) == says.format(tmp=tmp_path)


def test_spill_options_default_to_the_traces_own_amount(tmp_path):
    assert spill_options(tmp_path / "a.trace", None, default=7) == (tmp_path / "a.trace", 7)
    assert Trace(spill_to=tmp_path / "b.trace")._store._keep_blocks == Trace.IN_MEMORY // Trace.BLOCK
