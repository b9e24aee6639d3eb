from playground.services.credit import CheckingSales, CreditDesk, Sales, VersionedSales, decision


def test_the_record_counts_versions_per_customer_and_answers_checks():
    desk = CreditDesk()
    desk.handle("SetCreditLimit", {"customer": "c1", "limit": 500.0})
    (changed,) = desk.handle("SetCreditLimit", {"customer": "c1", "limit": 900.0})
    assert changed.payload == {"customer": "c1", "limit": 900.0, "version": 2}
    assert desk.version_of("c2") == 0
    (checked,) = desk.handle("CheckCredit", {"order_id": "o1", "customer": "c1", "amount": 10.0})
    assert (checked.payload["limit"], checked.payload["version"]) == (900.0, 2)
    (stated,) = desk.handle("ReconcileCredit", {})
    assert stated.payload == {"limits": [["c1", 900.0, 2]]}


def test_naive_sales_takes_an_older_version_the_versioned_one_ignores_it():
    for cls, kept in ((Sales, (900.0, 1)), (VersionedSales, (500.0, 2))):
        sales = cls()
        sales.handle("CopyCreditLimit", {"customer": "c1", "limit": 500.0, "version": 2})
        sales.handle("CompareCreditLimits", {"limits": [["c1", 900.0, 1]]})
        assert sales.copies["c1"] == kept


def test_checking_sales_asks_only_when_its_copy_is_older_than_the_order():
    sales = CheckingSales(copies={"c1": (500.0, 2)})
    order = {"order_id": "o1", "customer": "c1", "amount": 700.0}
    assert [e.type for e in sales.handle("TakeOrder", {**order, "credit_version": 3})] == ["CreditCheckRequested"]
    assert [e.type for e in sales.handle("TakeOrder", {**order, "order_id": "o2", "credit_version": 2})] == \
        ["CreditOrderDeclined"]
    (decided,) = sales.handle("DecideOnRecord", {**order, "limit": 800.0, "version": 3})
    assert decided.type == "CreditOrderAccepted" and sales.copies["c1"] == (800.0, 3)


def test_a_repeated_order_keeps_its_first_decision():
    sales = Sales(copies={"c1": (500.0, 1)})
    first = sales.handle("TakeOrder", {"order_id": "o1", "customer": "c1", "amount": 400.0, "credit_version": 1})
    sales.handle("CopyCreditLimit", {"customer": "c1", "limit": 100.0, "version": 2})
    again = sales.handle("TakeOrder", {"order_id": "o1", "customer": "c1", "amount": 400.0, "credit_version": 2})
    assert first[0].type == again[0].type == "CreditOrderAccepted"
    assert decision({"amount": 5.0}, 5.0) == "accepted" and decision({"amount": 5.5}, 5.0) == "declined"
