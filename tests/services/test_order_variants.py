from playground.services.order_variants import QueryableOrders, RenamedColumnOrders, RowLevelOrders, RowWatchingEmail

PLACE = {"order_id": "o1", "customer": "c1", "amount": 9.5}


def _rows(emitted):
    return [(e.payload["column"], e.payload["value"]) for e in emitted if e.type == "DatabaseRowUpdated"]


def test_row_level_orders_publish_every_column_besides_the_business_event():
    orders = RowLevelOrders()
    placed = orders.handle("PlaceOrder", PLACE)
    assert placed[0].type == "OrderPlaced"
    assert _rows(placed) == [("customer", "c1"), ("amount", "9.5"), ("state", "placed"), ("version", "1")]
    completed = orders.handle("CompleteOrder", {"order_id": "o1"})
    assert [e.type for e in completed][0] == "OrderCompleted"
    assert _rows(completed) == [("state", "completed"), ("version", "2")]


def test_the_renamed_column_changes_the_rows_but_not_the_business_events():
    old, new = RowLevelOrders(), RenamedColumnOrders()
    a, b = old.handle("PlaceOrder", PLACE), new.handle("PlaceOrder", PLACE)
    assert [e for e in a if e.type == "OrderPlaced"] == [e for e in b if e.type == "OrderPlaced"]
    assert ("status", "placed") in _rows(b) and ("state", "placed") not in _rows(b)


def test_the_row_watcher_confirms_only_what_it_recognises():
    email = RowWatchingEmail()
    for emitted in (RowLevelOrders().handle("PlaceOrder", PLACE),):
        for row in _rows(emitted):
            email.handle("WatchOrderRow", {"table": "orders", "row_id": "o1", "column": row[0], "value": row[1]})
    assert email.handle("WatchOrderRow", {"table": "orders", "row_id": "o1", "column": "status", "value": "completed"}) == []
    (sent,) = email.handle("WatchOrderRow", {"table": "orders", "row_id": "o1", "column": "state", "value": "completed"})
    assert sent.payload == {"order_id": "o1", "customer": "c1"}
    assert email.handle("WatchOrderRow", {"table": "users", "row_id": "o1", "column": "state", "value": "completed"}) == []


def test_queryable_orders_answer_with_the_details():
    orders = QueryableOrders()
    orders.handle("PlaceOrder", PLACE)
    (details,) = orders.handle("GetOrder", {"order_id": "o1"})
    assert (details.type, details.payload["amount"]) == ("OrderDetails", 9.5)
