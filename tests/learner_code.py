"""Code a learner writes in the backstage sections: a raw faust agent and a raw transitions machine.

Shared by the simulated and the Kafka tests (tests/ is on the import path
because its conftest.py lives there), so both run exactly the same code.
"""

from transitions import Machine


def points_agent(app, events, send):
    """A learner-style agent: award points once per completed order, even when an event comes twice."""
    awarded = set()

    @app.agent(events)
    async def award(stream):
        async for event in stream:
            order = event.payload["order_id"]
            if order in awarded:
                continue
            awarded.add(order)
            send("PointsAwarded", {"order_id": order, "customer": event.payload["customer"], "points": 10},
                 cause=event)

    return award


STATES = ["new", "invoicing", "charging", "shipping", "completing", "done", "voiding", "cancelling", "cancelled"]


def order_machine(order):
    """A learner-style machine: retry a declined card once (a condition), else void the invoice and cancel."""
    order.declines = 0

    def count_decline(event):
        order.declines += 1

    def may_retry(event):
        return order.declines < 2

    return Machine(model=order, states=STATES, initial="new", auto_transitions=False, transitions=[
        {"trigger": "OrderPlaced", "source": "new", "dest": "invoicing", "after": lambda e: order.send("CreateInvoice")},
        {"trigger": "InvoiceCreated", "source": "invoicing", "dest": "charging",
         "after": lambda e: order.send("ChargePayment")},
        {"trigger": "PaymentFailed", "source": "charging", "dest": "charging", "prepare": count_decline,
         "conditions": may_retry, "after": lambda e: order.send("ChargePayment")},
        {"trigger": "PaymentFailed", "source": "charging", "dest": "voiding",
         "after": lambda e: order.send("CancelInvoice")},
        {"trigger": "PaymentReceived", "source": "charging", "dest": "shipping",
         "after": [lambda e: order.send("MarkInvoicePaid"), lambda e: order.send("ShipOrder")]},
        {"trigger": "InvoicePaid", "source": ["shipping", "completing"], "dest": None},
        {"trigger": "OrderShipped", "source": "shipping", "dest": "completing",
         "after": lambda e: order.send("CompleteOrder")},
        {"trigger": "OrderCompleted", "source": "completing", "dest": "done"},
        {"trigger": "InvoiceCancelled", "source": "voiding", "dest": "cancelling",
         "after": lambda e: order.send("CancelOrder")},
        {"trigger": "OrderCancelled", "source": "cancelling", "dest": "cancelled"},
    ])


def onboarding_machine(user):
    """Chapter 02's onboarding by hand: both replies joined by a condition."""
    user.parts = set()

    def note(event):
        user.parts.add(event.type)

    def both_done(event):
        return user.parts == {"WelcomeEmailSent", "AccountCreated"}

    return Machine(model=user, initial="new", auto_transitions=False,
                   states=["new", "welcome_and_account", "onboarded"],
                   transitions=[
                       {"trigger": "UserCreated", "source": "new", "dest": "welcome_and_account",
                        "after": [lambda e: user.send("SendWelcome"), lambda e: user.send("OpenAccount")]},
                       {"trigger": "WelcomeEmailSent", "source": "welcome_and_account", "dest": "onboarded",
                        "prepare": note, "conditions": both_done},
                       {"trigger": "AccountCreated", "source": "welcome_and_account", "dest": "onboarded",
                        "prepare": note, "conditions": both_done},
                   ])
