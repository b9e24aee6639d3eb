"""Business capabilities, written once and wired two ways."""

from playground.services.base import Emit, Service, emit, handles
from playground.services.approvals import Approvers
from playground.services.onboarding import Accounts, Users
from playground.services.orders import Email, Invoices, Orders, Payments, Shipping
from playground.services.travel import Cars, Flights, Hotels

#: Service classes by name, for scenarios and the command line.
SERVICES = {cls.name: cls for cls in (Orders, Invoices, Payments, Shipping, Email, Users, Accounts,
                                      Flights, Hotels, Cars, Approvers)}

__all__ = ["SERVICES", "Emit", "Service", "emit", "handles",
           "Orders", "Invoices", "Payments", "Shipping", "Email", "Users", "Accounts",
           "Flights", "Hotels", "Cars", "Approvers"]
