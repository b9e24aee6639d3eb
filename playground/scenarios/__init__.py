"""Ready-made scenarios, each a one-liner in a notebook: ``order_flow(orders=100, seed=7).run()``."""

from playground.runtime.result import Result
from playground.scenarios.base import Scenario
from playground.scenarios.invoice_incident import InvoiceIncident, invoice_incident
from playground.scenarios.onboarding import OnboardingFlow, onboarding_flow
from playground.scenarios.order_flow import OrderFlow, order_flow
from playground.scenarios.travel import TravelBooking, travel_booking

__all__ = ["InvoiceIncident", "OnboardingFlow", "OrderFlow", "Result", "Scenario", "TravelBooking",
           "invoice_incident", "onboarding_flow", "order_flow", "travel_booking"]
