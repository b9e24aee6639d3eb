import pytest

from playground.analysis.invariants import check
from playground.errors import ScenarioError
from playground.runtime.trace import Trace
from playground.scenarios import order_flow


def test_a_run_can_keep_most_of_its_trace_on_disk_and_every_analysis_still_reads_it(tmp_path, monkeypatch):
    monkeypatch.setattr(Trace, "BLOCK", 256)
    kept = order_flow(orders=80, seed=5, decline_rate=0.2).run()
    spilled = order_flow(orders=80, seed=5, decline_rate=0.2).run(trace_to=tmp_path / "orders.trace",
                                                                   trace_in_memory=500)
    store = spilled.trace._store
    assert spilled.trace.spill_to == tmp_path / "orders.trace" and (tmp_path / "orders.trace").stat().st_size > 0
    assert sum(not isinstance(b, tuple) for b in store.blocks) == 500 // 256 < len(store.blocks)
    assert spilled.trace.digest() == kept.trace.digest()
    assert spilled.outcomes == kept.outcomes and spilled.counts() == kept.counts()
    assert check(spilled) == check(kept)
    assert str(spilled.trace.story("order-0033")) == str(kept.trace.story("order-0033"))


def test_a_trace_amount_without_a_file_is_refused_before_the_run():
    with pytest.raises(ScenarioError, match=r"^trace_in_memory= says how many trace entries stay in memory while the "
                                            r"rest go to a file; give trace_to= a file as well\.$"):
        order_flow(orders=5, seed=1).run(trace_in_memory=1000)
