from playground.services.escalation import Seniors
from playground.services.notifications import PushNotifications, Reports


def test_push_mentions_the_amount_only_when_it_knows_it():
    push = PushNotifications()
    (plain,) = push.handle("SendPush", {"order_id": "o1", "customer": "c"})
    assert plain.payload["text"] == "Your order o1 is complete"
    (asked,) = push.handle("LookUpOrder", {"order_id": "o2"})
    assert (asked.type, asked.payload) == ("GetOrder", {"order_id": "o2"})
    (told,) = push.handle("NotifyWithDetails", {"order_id": "o2", "customer": "c", "amount": 3.0})
    assert "3.00 EUR" in told.payload["text"]
    assert [n.detail["key"] for n in push.take_notes()] == ["push:o1", "push:o2"]


def test_reports_count_a_sale_once_and_seniors_decide():
    reports = Reports()
    for _ in range(2):
        assert reports.handle("RecordSale", {"order_id": "o1", "customer": "c"})[0].type == "SaleRecorded"
    assert reports.sales == ["o1"] and len(reports.take_notes()) == 1
    (decision,) = Seniors(approve=0.0).handle("ReviewEscalation", {"instance": "t1", "step": "manager"})
    assert decision.payload["approved"] is False
