import os
import subprocess
import sys

import pytest

from playground.errors import HorizonExceeded, ScenarioError
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow

DIGEST = "from playground.scenarios import order_flow; print(order_flow(orders=200, seed={seed}, decline_rate=0.1).run().trace.digest())"


def _digest_in_fresh_process(seed: int, hashseed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-c", DIGEST.format(seed=seed)], env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_seed_gives_a_byte_identical_trace_within_one_process():
    first = order_flow(orders=200, seed=5, decline_rate=0.1).run().trace.to_jsonl()
    second = order_flow(orders=200, seed=5, decline_rate=0.1).run().trace.to_jsonl()
    assert first == second


def test_same_seed_gives_the_same_trace_across_processes_and_hash_seeds():
    digests = {_digest_in_fresh_process(9, hashseed) for hashseed in ("1", "4242", "random")}
    assert len(digests) == 1
    assert digests == {order_flow(orders=200, seed=9, decline_rate=0.1).run().trace.digest()}


def test_different_seeds_give_different_traces():
    assert (order_flow(orders=50, seed=1).run().trace.digest()
            != order_flow(orders=50, seed=2).run().trace.digest())


def test_a_thousand_orders_with_one_malformed_message():
    result = order_flow(orders=1000, seed=7, malformed=1).run()
    counts = result.counts()
    assert counts == {"completed": 999, "dead-lettered": 1}
    (letter,) = result.dead_letters
    assert letter.envelope.type == "PlaceOrder"
    assert letter.at == "orders"
    assert "field 'amount' should be a number" in letter.reason
    parked = result.trace.where(kind="dead_letter")
    assert [e.message_id for e in parked] == [letter.envelope.message_id]
    assert result.outcomes[letter.envelope.correlation_id] == "dead-lettered"


def test_every_completed_order_went_through_every_service(small_run):
    for order_id, outcome in small_run.outcomes.items():
        handled_by = {e.at for e in small_run.trace.where(correlation_id=order_id, kind="end")}
        if outcome == "completed":
            assert handled_by == {"orders", "invoices", "payments", "shipping", "email"}
        else:
            assert outcome == "cancelled"
            assert "shipping" not in handled_by


def test_declined_payments_cancel_the_order_and_void_the_invoice(small_run):
    cancelled = [o for o, state in small_run.outcomes.items() if state == "cancelled"]
    assert cancelled, "seed 11 with decline_rate 0.2 should decline some payments"
    invoices = small_run.services["invoices"].invoices
    assert all(invoices[o]["status"] == "cancelled" for o in cancelled)
    assert small_run.services["payments"].charges.keys().isdisjoint(cancelled)


def test_causation_links_every_message_to_the_one_that_caused_it(small_run):
    sent = {e.message_id: e for e in small_run.trace.where(kind="send")}
    for entry in sent.values():
        if entry.causation_id is not None:
            cause = sent[entry.causation_id]
            assert cause.correlation_id == entry.correlation_id
            assert cause.time <= entry.time


def test_an_outage_builds_a_backlog_that_drains_after_recovery():
    plan = FaultPlan(outages={"email": [(20.0, 80.0)]})
    result = order_flow(orders=100, seed=3, faults=plan).run()
    assert result.counts() == {"completed": 100}
    email_starts = [e.time for e in result.trace.where(kind="start", at="email")]
    assert not any(20.0 <= t < 80.0 for t in email_starts)
    assert sum(t == 80.0 for t in email_starts) == 1  # the first queued email goes out at recovery
    completions = [e.time for e in result.trace.where(kind="send", type="OrderCompleted")]
    assert any(20.0 <= t < 80.0 for t in completions), "orders keep completing while email is down"


@pytest.mark.parametrize("params, fragment", [
    ({"orders": -3}, "orders must be a whole number"),
    ({"orders": 2.5}, "orders must be a whole number"),
    ({"rate": 0}, "rate must be a number greater than 0"),
    ({"latency": {"paymnts": 1.0}}, "no service called 'paymnts'"),
    ({"latency": {"payments": -1}}, "cannot be negative"),
    ({"decline_rate": 1.5}, "decline_rate must be a fraction"),
    ({"malformed": 5, "orders": 2}, "cannot exceed the number of orders"),
    ({"wiring": "telepathy"}, "no wiring called 'telepathy'"),
    ({"faults": FaultPlan(outages={"mailer": [(1, 2)]})}, "no component called 'mailer'"),
    ({"seed": "seven"}, "seed must be a whole number"),
])
def test_bad_parameters_get_one_clear_sentence(params, fragment):
    with pytest.raises(ScenarioError) as caught:
        order_flow(**params).run()
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and message.endswith(".")


def test_a_horizon_too_short_ends_with_a_clear_message():
    with pytest.raises(HorizonExceeded) as caught:
        order_flow(orders=100, seed=1, horizon=30).run()
    message = str(caught.value)
    assert "horizon of 30 simulated seconds" in message
    assert "of 100 transactions unfinished" in message
    assert "\n" not in message


def test_summary_reports_counts_computed_from_the_run(small_run):
    text = small_run.summary()
    counts = small_run.counts()
    assert f"{counts['completed']:,} completed" in text
    assert small_run.trace.digest() in text


def test_an_orchestrator_crash_loses_in_flight_orders_in_memory_and_none_on_sqlite(tmp_path):
    # Five orders a second keep several in flight at any moment, so the crash catches some.
    plan = FaultPlan(crashes={"orchestrator": [(5, 10)]})
    forgetful = order_flow(orders=60, seed=4, rate=5.0, wiring="orchestration", faults=plan).run()
    durable = order_flow(orders=60, seed=4, rate=5.0, wiring="orchestration", faults=plan,
                         store=tmp_path / "orders.db").run()
    # A reply for an instance the new orchestrator never heard of is parked: the order never ends.
    lost = [o for o, outcome in forgetful.outcomes.items() if outcome not in ("completed", "cancelled")]
    assert lost and {forgetful.outcomes[o] for o in lost} == {"dead-lettered"}
    assert set(durable.counts()) <= {"completed", "cancelled"} and sum(durable.counts().values()) == 60
    # The durable store still answers after the run; the forgetful one knows only what came after the crash.
    assert len(durable.extras["orchestrator"].table()) == 60
    assert len(forgetful.extras["orchestrator"].table()) < 60 - len(lost)
