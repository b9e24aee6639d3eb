"""Chapter 07's claims (the choreography mindset), checked on the same seeded runs the chapter shows.

Each figure is computed in the notebook; these tests hold the statements its prose makes
about them, so a change in the playground that would make the text wrong fails here.
"""

import pytest

from playground.analysis.coupling import compare, footprint
from playground.analysis.event_graph import event_graph

CH07_PRODUCERS = ["orders", "invoices", "payments", "shipping", "email"]


@pytest.fixture(scope="module")
def ch07_push_runs():
    from playground.scenarios.push_join import push_join

    runs = {"without": push_join(orders=300, seed=7, style=None).run(),
            "joined": push_join(orders=300, seed=7, style="plain", join_at=150.0).run(),
            "asking": push_join(orders=300, seed=7, style="call-back").run(),
            "answered": push_join(orders=300, seed=7, style="call-back", queryable=True).run(),
            "carried": push_join(orders=300, seed=7, style="carried").run()}
    return runs


def test_ch07_row_events_triple_what_orders_publishes_and_a_column_rename_silences_the_row_watcher():
    from collections import Counter

    from playground.scenarios.row_events import contract_styles

    rows = contract_styles(orders=100, seed=7, email_listens_to="rows").run()
    published = Counter(e.type for e in rows.trace.where(kind="send", at="orders"))
    assert published["DatabaseRowUpdated"] == 3 * (published["OrderPlaced"] + published["OrderCompleted"])
    assert len(rows.services["email"].sent) == 100
    change = compare(footprint(contract_styles(email_listens_to="rows")),
                     footprint(contract_styles(email_listens_to="rows", orders_version="renamed")), requested_by="orders")
    assert change.keys() == ["service orders"] and change.foreign_owners() == []
    renamed = contract_styles(orders=100, seed=7, email_listens_to="rows", orders_version="renamed").run()
    assert renamed.counts() == {"completed": 100} and renamed.dead_letters == []
    assert renamed.services["email"].sent == []
    seen = renamed.trace.where(kind="start", at="email", correlation_id="order-0001")
    assert len(seen) == 6 and {e.type for e in seen} == {"DatabaseRowUpdated"}
    assert renamed.trace.where(kind="effect", at="email", correlation_id="order-0001") == []
    assert "status" in renamed.services["email"].rows["order-0001"]


def test_ch07_confirmations_built_on_the_business_event_survive_the_rename():
    from playground.scenarios.row_events import contract_styles

    for version in ("v1", "renamed"):
        run = contract_styles(orders=100, seed=7, email_listens_to="business", orders_version=version).run()
        assert len(run.services["email"].sent) == 100 and run.dead_letters == []


def test_ch07_the_newcomer_pushes_for_every_order_completed_after_it_joined_and_no_producer_changed(ch07_push_runs):
    from playground.analysis.behaviour import difference, fingerprint
    from playground.scenarios.push_join import push_join

    without, joined = ch07_push_runs["without"], ch07_push_runs["joined"]
    late = [e for e in joined.trace.where(kind="send", type="OrderCompleted") if e.time >= 150]
    assert 0 < len(joined.services["push"].sent) == len(late) < 300
    change = compare(footprint(push_join(style=None)), footprint(push_join(style="plain")), requested_by="push")
    assert change.owners() == ["push"] and {t.how for t in change.touches} == {"added"}
    assert fingerprint(without, CH07_PRODUCERS) == fingerprint(joined, CH07_PRODUCERS)
    assert difference(without, joined, CH07_PRODUCERS) is None
    assert event_graph(joined).cycles() == []


def test_ch07_calling_back_fails_until_the_producer_changes_and_event_carried_state_needs_nobody(ch07_push_runs):
    from playground.analysis.behaviour import difference
    from playground.analysis.metrics import messages_per_transaction
    from playground.scenarios.push_join import push_join

    runs, plain = ch07_push_runs, footprint(push_join(style=None))
    asking = runs["asking"]
    assert asking.services["push"].sent == [] and len(asking.dead_letters) == 300
    assert {d.reason for d in asking.dead_letters} == {"the orders service does not handle 'GetOrder'"}
    for name, params, owners, same in (("answered", {"style": "call-back", "queryable": True}, ["orders", "push"], False),
                                       ("carried", {"style": "carried"}, ["push"], True)):
        run = runs[name]
        assert sum("EUR" in t for _, t in run.services["push"].sent) == 300 and run.dead_letters == []
        assert compare(plain, footprint(push_join(**params)), requested_by="push").owners() == owners
        assert (difference(runs["without"], run, CH07_PRODUCERS) is None) is same
    handled = {n: len(runs[n].trace.where(kind="end", at="orders")) for n in ("without", "answered", "carried")}
    assert handled["carried"] == handled["without"] < handled["answered"] == handled["without"] + 300
    per_order = {n: messages_per_transaction(runs[n])["order-0001"] for n in ("without", "answered", "carried")}
    assert per_order["answered"] == per_order["carried"] + 2 and per_order["carried"] == per_order["without"] + 1


def test_on_kafka_a_new_consumer_group_starts_at_the_oldest_record_as_the_chapter_says():
    from playground.kafka.bus import app_settings
    from playground.kafka.topics import Topology

    assert app_settings(Topology())["consumer_auto_offset_reset"] == "earliest"


def test_ch07_a_call_back_puts_the_producers_answer_into_every_notification(ch07_push_runs):
    def median_wait(run):
        completed = {e.correlation_id: e.time for e in run.trace.where(kind="send", type="OrderCompleted")}
        waits = sorted(e.time - completed[e.correlation_id] for e in run.trace.where(kind="send", type="PushSent"))
        return waits[len(waits) // 2]

    called, carried = median_wait(ch07_push_runs["answered"]), median_wait(ch07_push_runs["carried"])
    assert round(called, 2) == 0.11 and round(carried, 2) == 0.05


def test_ch07_your_turn_answer_the_carried_amount_needs_nobody_and_the_call_back_is_dead_lettered():
    from playground.scenarios.new_consumer import order_flow_with
    from playground.services.notifications import PushNotifications

    def pushes(reactions):
        run = order_flow_with(PushNotifications, reactions, orders=100, seed=7).run()
        return [t for _, t in run.services["push"].sent], run.dead_letters

    texts, dead = pushes({"OrderPlaced": "RememberOrder", "OrderCompleted": "SendPush"})
    assert len(texts) == 100 and all("EUR" in t for t in texts) and dead == []
    texts, dead = pushes({"OrderCompleted": "SendPush"})  # the starter
    assert len(texts) == 100 and not any("EUR" in t for t in texts)
    texts, dead = pushes({"OrderCompleted": "LookUpOrder", "OrderDetails": "NotifyWithDetails"})
    assert texts == [] and len(dead) == 100


def test_ch07_exercise_answers_a_late_carried_copy_misses_one_order_and_silent_rows_break_only_the_row_watcher():
    from playground.scenarios.push_join import push_join
    from playground.scenarios.row_events import ContractStyles, contract_styles
    from playground.services.order_variants import RowLevelOrders

    for join, pushed, order in ((10.5, 294, "order-0007"), (40.5, 263, "order-0038")):
        run = push_join(orders=300, seed=2, style="carried", join_at=join).run()
        lacking = [t for _, t in run.services["push"].sent if "EUR" not in t]
        assert len(run.services["push"].sent) == pushed and lacking == [f"Your order {order} is complete"]
        placed = run.trace.where(kind="send", type="OrderPlaced", correlation_id=order)[0].time
        completed = run.trace.where(kind="send", type="OrderCompleted", correlation_id=order)[0].time
        assert placed < join < completed

    class Silent(RowLevelOrders):
        def _row(self, order_id, column, value):
            pass

    class NoRows(ContractStyles):
        def build_services(self, randomness):
            services = super().build_services(randomness)
            services["orders"] = Silent(latency=services["orders"].latency)
            return services

    for style, confirmations in (("rows", 0), ("business", 100)):
        run = NoRows(orders=100, seed=7, email_listens_to=style).run()
        assert run.counts() == {"completed": 100} and run.dead_letters == []
        assert len(run.services["email"].sent) == confirmations
        change = compare(footprint(contract_styles(email_listens_to=style)), footprint(NoRows(email_listens_to=style)),
                         requested_by="orders")
        assert change.keys() == ["service orders"] and change.foreign_owners() == []
