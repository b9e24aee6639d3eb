from playground.analysis.behaviour import behaviour, difference, fingerprint
from playground.scenarios import order_flow


def test_identical_runs_behave_identically_and_a_change_is_located():
    a = order_flow(orders=15, seed=4).run()
    b = order_flow(orders=15, seed=4).run()
    slow = order_flow(orders=15, seed=4, latency={"shipping": 0.5}).run()
    assert fingerprint(a, ["orders"]) == fingerprint(b, ["orders"])
    assert difference(a, b, ["orders", "shipping"]) is None
    first = difference(a, slow, ["orders", "shipping"])
    assert first is not None and first[0][2] in ("orders", "shipping") and first[0] != first[1]
    assert all(row[2] == "payments" for row in behaviour(a, ["payments"]))


def test_a_run_that_did_more_differs_where_the_other_stopped():
    from types import SimpleNamespace

    from playground.runtime.trace import Trace

    short, long = Trace(), Trace()
    for trace in (short, long):
        trace.record(1.0, "send", "orders", "OrderPlaced", "m1", "o1", None)
    long.record(2.0, "send", "orders", "OrderCompleted", "m2", "o1", None)
    a, b = SimpleNamespace(trace=long), SimpleNamespace(trace=short)
    assert difference(a, b, ["orders"]) == ((2.0, "send", "orders", "OrderCompleted", "o1"), None)
    assert difference(b, a, ["orders"]) == (None, (2.0, "send", "orders", "OrderCompleted", "o1"))
