"""Mistakes a learner makes writing services and reaction tables are named with the fix."""

import pytest

from playground import HandlerReturnError, ORDER_REACTIONS, choreograph, emit, handles
from playground.runtime.clock import run_simulated
from playground.runtime.randomness import Randomness
from playground.services import Orders, Shipping
from playground.transport.bus import Bus


def test_a_handler_returning_one_emit_instead_of_a_list_is_told_to_return_a_list():
    class Hasty(Orders):
        @handles("PlaceOrder")
        def place(self, order_id, customer, amount):
            return emit("OrderPlaced", order_id=order_id, customer=customer, amount=amount)

    with pytest.raises(HandlerReturnError, match=r"returned emit\('OrderPlaced', \.\.\.\); return a list of them"):
        Hasty().handle("PlaceOrder", {"order_id": "o1", "customer": "c", "amount": 1.0})


def test_a_misspelled_command_in_a_reaction_table_names_the_typo_and_the_closest_command():
    async def main():
        bus = Bus()
        reactions = {**ORDER_REACTIONS, "shipping": {"InvoicePaid": "ShipOrdr"}}
        choreograph(bus, {"shipping": Shipping()}, reactions, Randomness(0))
        await bus.start()
        bus.publish(bus.message("InvoicePaid", {"order_id": "o1", "invoice_id": "i1"}, sender="invoices",
                                correlation_id="o1"))
        await bus.drained()
        await bus.stop()
        return bus.dead_letters

    (letter,) = run_simulated(main, horizon=10)
    assert letter.reason == ("the shipping reaction table maps InvoicePaid to 'ShipOrdr', which the shipping "
                             "service does not handle; did you mean 'ShipOrder'?")


def _one_message_through(service, reactions: dict, type_: str, payload: dict):
    """Run ``service`` on a bus with the email service listening, deliver one message; return the bus."""
    from playground.services import Email

    async def main():
        bus = Bus()
        choreograph(bus, {service.name: service, "email": Email()},
                    {service.name: reactions, "email": {"OrderCompleted": "SendConfirmation"}}, Randomness(0))
        await bus.start()
        bus.publish(bus.message(type_, payload, sender="test", correlation_id=payload["order_id"]))
        await bus.drained()
        await bus.stop()
        return bus

    return run_simulated(main, horizon=10)


def test_an_event_that_breaks_its_contract_is_dead_lettered_where_it_was_published():
    class Careless(Orders):
        @handles("CompleteOrder")
        def complete(self, order_id):
            return [emit("OrderCompleted", order_id=order_id)]  # the contract declares customer too

    bus = _one_message_through(Careless(), {}, "CompleteOrder", {"order_id": "o1"})
    (letter,) = bus.dead_letters
    assert letter.at == "orders" and letter.envelope.type == "OrderCompleted"
    assert letter.reason == "OrderCompleted from orders breaks its contract: field 'customer' is missing"
    assert not bus.trace.where(kind="deliver", at="email")  # it never reached a consumer
    assert not bus.trace.where(kind="send", type="OrderCompleted")


def test_a_misspelled_event_is_dead_lettered_with_the_closest_declared_name():
    class Typist(Orders):
        @handles("CompleteOrder")
        def complete(self, order_id):
            return [emit("OrderComplete", order_id=order_id, customer="c")]

    bus = _one_message_through(Typist(), {}, "CompleteOrder", {"order_id": "o1"})
    (letter,) = bus.dead_letters
    assert letter.reason == "unknown message type 'OrderComplete' (did you mean 'OrderCompleted'?)"
