"""Business capabilities, written once and wired two ways."""

from playground.services.base import Emit, Service, emit, handles
from playground.services.onboarding import Accounts, Users
from playground.services.orders import Email, Invoices, Orders, Payments, Shipping

#: Service classes by name, for scenarios and the command line.
SERVICES = {cls.name: cls for cls in (Orders, Invoices, Payments, Shipping, Email, Users, Accounts)}

__all__ = ["SERVICES", "Emit", "Service", "emit", "handles",
           "Orders", "Invoices", "Payments", "Shipping", "Email", "Users", "Accounts"]
