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
