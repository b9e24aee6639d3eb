"""Reconstructing one order from correlated events, and what happens when a service drops the id."""

from playground.analysis.whereabouts import reconstruct, reconstruct_all
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow


def test_a_finished_order_is_pieced_together_from_every_service(small_run):
    order = next(o for o, s in small_run.outcomes.items() if s == "completed")
    found = reconstruct(small_run, order)
    assert found.outcome == "completed"
    assert [s.type for s in found.steps] == [e.type for e in small_run.trace.where(kind="send", correlation_id=order)]
    assert set(found.components) == {"customers", "orders", "invoices", "payments", "shipping", "email"}
    assert found.scanned == len(small_run.trace)  # nobody holds the answer: the whole trace is read


def test_asking_mid_flight_names_the_service_it_waits_at(small_run):
    order = next(iter(small_run.outcomes))
    charge = next(e for e in small_run.trace.where(kind="start", correlation_id=order) if e.at == "payments")
    found = reconstruct(small_run, order, at=charge.time)  # payments has it but has not finished
    assert found.outcome is None
    assert found.steps[-1].type == "InvoiceCreated" and found.steps[-1].waiting_at == ("payments",)
    assert "waiting at payments" in found.answer()


def test_stripping_the_correlation_id_at_one_service_breaks_the_reconstruction():
    intact = order_flow(orders=20, seed=2).run()
    cut = order_flow(orders=20, seed=2, faults=FaultPlan(uncorrelated="payments")).run()
    assert intact.counts() == {"completed": 20}
    # The orders still complete (the services never needed the id)...
    assert len(cut.trace.where(kind="send", type="OrderCompleted")) == 20
    # ...but nothing after payments can be tied to its order any more.
    assert cut.counts() == {"unfinished": 20}
    found = reconstruct(cut, "order-0007")
    assert found.outcome is None and [s.type for s in found.steps][-1] == "InvoiceCreated"
    assert "payments" in found.answer() and "nothing since" in found.answer()
    stripped = cut.trace.where(kind="fault")
    assert len(stripped) == 20 and {e.detail["fault"] for e in stripped} == {"uncorrelated"}
    assert all(e.at == "payments" and e.correlation_id for e in stripped)  # the fault entry remembers the lost id
    lost = {e.message_id for e in stripped}
    assert all(e.correlation_id is None and e.causation_id is None
               for e in cut.trace.where(kind="send") if e.message_id in lost)


def test_many_questions_read_the_trace_once_and_get_the_answers_asked_one_by_one(small_run):
    orders = list(small_run.outcomes)
    halfway = small_run.trace.entries[len(small_run.trace) // 2].time
    for at in (None, halfway):
        answers = reconstruct_all(small_run, [*orders, "order-nobody"], at=at)
        assert answers == {o: reconstruct(small_run, o, at=at) for o in [*orders, "order-nobody"]}
    assert not answers["order-nobody"].steps and answers[orders[0]].steps
