"""The order flow wired as orchestration: same services, same workload, one saga per order."""

import os
import subprocess
import sys

import pytest

from playground.analysis.invariants import check
from playground.orchestration import dashboard
from playground.scenarios import order_flow

DIGEST = ("from playground.scenarios import order_flow; "
          "print(order_flow(orders=100, seed={seed}, decline_rate=0.1, wiring='orchestration').run().trace.digest())")


def test_a_hundred_orders_end_as_completed_or_cancelled_keeping_every_promise():
    result = order_flow(orders=100, seed=7, wiring="orchestration", decline_rate=0.1).run()
    counts = result.counts()
    assert set(counts) == {"completed", "cancelled"} and sum(counts.values()) == 100
    assert not any(check(result).values())
    table = dashboard(result)
    assert table.counts() == {"completed": counts["completed"], "compensated": counts["cancelled"]}
    declined = [e.correlation_id for e in result.trace.where(kind="send", type="PaymentFailed")]
    assert sorted(declined) == sorted(o for o, s in result.outcomes.items() if s == "cancelled")


def test_a_declined_payment_undoes_the_invoice_then_the_order():
    result = order_flow(orders=40, seed=7, wiring="orchestration", decline_rate=0.3).run()
    cancelled = [o for o, s in result.outcomes.items() if s == "cancelled"]
    assert cancelled
    for order in cancelled:
        undone = [e.detail["step"] for e in result.trace.where(kind="compensate", correlation_id=order)]
        assert undone == ["invoice", "order"]
        assert result.services["invoices"].invoices[order]["status"] == "cancelled"


def test_same_seed_same_trace_in_process_and_across_processes():
    digest = order_flow(orders=100, seed=9, decline_rate=0.1, wiring="orchestration").run().trace.digest()
    assert digest == order_flow(orders=100, seed=9, decline_rate=0.1, wiring="orchestration").run().trace.digest()
    env = {**os.environ, "PYTHONHASHSEED": "31"}
    out = subprocess.run([sys.executable, "-c", DIGEST.format(seed=9)], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == digest


def test_both_wirings_serve_the_same_workload_with_the_same_services():
    orchestrated = order_flow(orders=50, seed=5, wiring="orchestration").run()
    choreographed = order_flow(orders=50, seed=5).run()
    assert orchestrated.counts() == choreographed.counts() == {"completed": 50}
    assert set(orchestrated.services) == set(choreographed.services)
    def placed(r):
        return [(e.time, e.correlation_id) for e in r.trace.where(kind="send", type="PlaceOrder")]

    assert placed(orchestrated) == placed(choreographed)
    # the conductor costs messages: every step is a command and a reply
    assert len(orchestrated.trace.where(kind="send")) > len(choreographed.trace.where(kind="send"))


def test_a_saga_of_your_own_must_start_on_order_placed():
    from playground.errors import ScenarioError
    from playground.orchestration.saga import SagaDefinition, Step

    wrong_start = SagaDefinition("order", [Step("ship", "ShipOrder", compensation_required=False)],
                                 started_by="InvoicePaid")
    with pytest.raises(ScenarioError, match="started by InvoicePaid; pass started_by=.OrderPlaced."):
        order_flow(orders=1, wiring="orchestration", saga=wrong_start)
