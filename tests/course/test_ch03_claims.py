"""Chapter 03's claims (the invoice that would not die), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

CH03 = {"orders": 200, "seed": 7}


@pytest.fixture(scope="module")
def ch03_runs():
    from playground.scenarios import invoice_incident

    runs = {"incident": invoice_incident(**CH03).run()}
    for fix in ("wait", "retry", "refund-late"):
        runs[fix] = invoice_incident(**CH03, fix=fix).run()
    runs["choreography"] = invoice_incident(**CH03, wiring="choreography").run()
    return runs


def test_ch03_no_payment_fails_the_timeout_only_cuts_off_the_slow_ones(ch03_runs):
    from playground.analysis.waits import reply_times

    incident = ch03_runs["incident"]
    charges = incident.trace.where(kind="send", type="ChargePayment")
    replies = {e.causation_id: e.type for e in incident.trace.where(kind="send", at="payments")}
    assert all(replies[c.message_id] == "PaymentReceived" for c in charges)
    waits = reply_times(incident, "ChargePayment")
    assert len(waits) == len(charges) == 200 and 0 < sum(w > 5.0 for w in waits.values()) < 200


def test_ch03_the_incident_replays_identically_from_its_seed(ch03_runs):
    from playground.scenarios import invoice_incident

    assert invoice_incident(**CH03).run().trace.digest() == ch03_runs["incident"].trace.digest()


def test_ch03_every_payment_slower_than_the_timeout_and_nothing_else_is_paid_without_invoice(ch03_runs):
    from playground.analysis.invariants import paid_without_invoice
    from playground.analysis.waits import reply_times

    incident = ch03_runs["incident"]
    charges = {e.message_id: e.correlation_id for e in incident.trace.where(kind="send", type="ChargePayment")}
    slow = {charges[m] for m, w in reply_times(incident, "ChargePayment").items() if w > 5.0}
    assert {v.correlation_id for v in paid_without_invoice(incident)} == slow
    assert {o for o, end in incident.outcomes.items() if end == "cancelled"} == slow


def test_ch03_the_first_anomaly_reads_timeout_undo_charge_three_seconds_later_parked_reply_lonely_event(ch03_runs):
    from playground.analysis.invariants import paid_without_invoice

    incident = ch03_runs["incident"]
    order = paid_without_invoice(incident)[0].correlation_id
    entries = incident.trace.where(correlation_id=order)
    timeout = next(e for e in entries if e.kind == "timeout")
    undone = [e.detail["step"] for e in entries if e.kind == "compensate"]
    charge = next(e for e in entries if e.kind == "effect" and e.detail["effect"] == "charge")
    parked = next(e for e in entries if e.kind == "dead_letter")
    lonely = next(e for e in entries if e.kind == "send" and e.type == "InvoiceNotFound")
    assert timeout.detail == {"instance": order, "step": "payment", "after": 5.0} and undone == ["invoice", "order"]
    assert charge.time - timeout.time == pytest.approx(3.0, abs=0.05)
    assert timeout.time < charge.time <= parked.time <= lonely.time and lonely.detail["to"] == []
    assert "ignores late replies" in parked.detail["reason"]
    received = next(e for e in entries if e.kind == "send" and e.type == "PaymentReceived")
    assert sorted(received.detail["to"]) == ["invoices", "orchestrator"]


def test_ch03_each_fix_removes_the_anomaly_ends_every_order_once_and_charges_nobody_twice(ch03_runs):
    from playground.analysis.invariants import check

    assert len(check(ch03_runs["incident"], "paid-without-invoice")["paid-without-invoice"]) > 0
    for fix in ("wait", "retry", "refund-late", "choreography"):
        found = check(ch03_runs[fix], "paid-without-invoice", "money-conserved", "one-terminal-state",
                      "effects-at-most-once")
        assert found == {name: [] for name in found}, fix


def test_ch03_what_each_fix_costs(ch03_runs):
    from playground.analysis.waits import reply_times

    runs, incident = ch03_runs, ch03_runs["incident"]
    assert runs["wait"].counts() == runs["retry"].counts() == runs["choreography"].counts() == {"completed": 200}
    # retry: most timed-out payments answered during the backoff; every card charged exactly once
    timeouts, retries = len(runs["retry"].trace.where(kind="timeout")), len(runs["retry"].trace.where(kind="retry"))
    assert 0 < retries < timeouts / 2
    charges = [e for e in runs["retry"].trace.where(kind="effect") if e.detail["effect"] == "charge"]
    assert len(charges) == len({e.detail["key"] for e in charges}) == 200
    # refund-late: every cancelled order refunded, more cancelled than in the incident, because more were slow
    late = runs["refund-late"]
    refunds = [e for e in late.trace.where(kind="effect") if e.detail["effect"] == "refund"]
    cancelled = late.counts()["cancelled"]
    assert len(refunds) == cancelled > incident.counts()["cancelled"]
    assert sum(w > 5.0 for w in reply_times(late, "ChargePayment").values()) == cancelled
    # wait: slow orders simply take longer; choreography: fewer messages, no orchestrator at all
    assert max(reply_times(runs["wait"], "ChargePayment").values()) > 8.0
    assert runs["choreography"].trace.kinds()["send"] < runs["wait"].trace.kinds()["send"]
    assert not runs["choreography"].trace.where(at="orchestrator")


def _tail_charges(run):
    from playground.scenarios.invoice_incident import PAYMENT_LATENCY

    began = {e.message_id: e.time for e in run.trace.where(kind="start", at="payments")}
    return [e.correlation_id for e in run.trace.where(kind="end", at="payments", type="ChargePayment")
            if e.time - began[e.message_id] >= PAYMENT_LATENCY.tail]


def test_ch03_25_slow_payments_are_6_tail_draws_and_19_that_queued_behind_them(ch03_runs):
    from playground.analysis.waits import reply_times

    incident = ch03_runs["incident"]
    assert len(_tail_charges(incident)) == 6
    assert sum(w > 5.0 for w in reply_times(incident, "ChargePayment").values()) == 25


def test_ch03_a_reply_during_the_backoff_counts_so_22_timeouts_took_2_resends(ch03_runs):
    retried = ch03_runs["retry"]
    timeouts, resent = retried.trace.where(kind="timeout"), retried.trace.where(kind="retry")
    assert (len(timeouts), len(resent)) == (22, 2)
    # the 20 others: the timed-out attempt's own reply completed the step before the next attempt left
    resent_orders = {e.correlation_id for e in resent}
    for timeout in timeouts:
        if timeout.correlation_id in resent_orders:
            continue
        (charge,) = retried.trace.where(kind="send", type="ChargePayment", correlation_id=timeout.correlation_id)
        reply = next(e for e in retried.trace.where(kind="send", at="payments") if e.causation_id == charge.message_id)
        assert timeout.time < reply.time < timeout.time + 5.0  # the backoff before attempt 2 is 5 s


def test_ch03_22_not_25_because_the_resends_shift_which_calls_draw_the_tail(ch03_runs):
    incident, retried = ch03_runs["incident"], ch03_runs["retry"]
    first = min(e.time for e in retried.trace.where(kind="retry"))
    before = [[e.correlation_id for e in run.trace.where(kind="timeout") if e.time < first] for run in (incident, retried)]
    assert before[0] == before[1] and len(before[0]) == 6
    tails = [_tail_charges(run) for run in (incident, retried)]
    assert len(tails[0]) == len(tails[1]) == 6 and tails[0] != tails[1]
    assert tails[0][:2] == tails[1][:2]  # the draws before the first re-send land on the same orders


def test_ch03_a_backoff_of_8s_asks_nobody_twice_and_7s_still_asks_one():
    from playground.orchestration.saga import Retry
    from playground.scenarios import invoice_incident

    runs = {b: invoice_incident(**CH03, fix="retry", retry=Retry(count=10, backoff=b)).run() for b in (1.0, 7.0, 8.0)}
    assert [len(runs[b].trace.where(kind="retry")) for b in (1.0, 7.0, 8.0)] == [26, 1, 0]
    assert len(runs[8.0].trace.where(kind="timeout")) == 25 and runs[8.0].counts() == {"completed": 200}


def test_ch03_exercise_answers_hold(ch03_runs):
    from playground.analysis.compare import side_by_side
    from playground.analysis.invariants import paid_without_invoice
    from playground.orchestration.saga import Retry
    from playground.runtime.latency import LongTail
    from playground.scenarios import invoice_incident

    assert len(paid_without_invoice(invoice_incident(**CH03, timeout=9.0).run())) == 3
    longer = invoice_incident(**CH03, timeout=9.0, payment_latency=LongTail(typical=0.3, tail=20.0, tail_chance=0.05))
    assert len(paid_without_invoice(longer.run())) == 49
    late = ch03_runs["refund-late"]
    kept = []
    for order, end in late.outcomes.items():
        if end == "cancelled":
            effects = {e.detail["effect"]: e.time for e in late.trace.where(kind="effect", correlation_id=order)}
            kept.append(effects["refund"] - effects["charge"])
    assert round(min(kept), 1) == 0.6 and round(max(kept), 1) == 11.3
    eager = invoice_incident(**CH03, fix="retry", retry=Retry(count=20, backoff=0.0)).run()
    table = side_by_side({"patient": ch03_runs["retry"], "eager": eager})
    assert len(eager.trace.where(kind="retry")) == len(eager.dead_letters) == 83
    assert table.value("99th percentile latency (s)", "eager") > 1.5 * table.value("99th percentile latency (s)", "patient")
