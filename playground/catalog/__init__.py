"""The message catalog: one declaration per command and event type.

>>> CATALOG["OrderPlaced"].owner
'orders'
"""

from playground.catalog.base import Catalog, MessageSpec, UnknownMessageType
from playground.catalog.loyalty import LOYALTY_SPECS
from playground.catalog.onboarding import ONBOARDING_SPECS
from playground.catalog.orchestration import ORCHESTRATION_SPECS
from playground.catalog.orders import ORDER_SPECS
from playground.catalog.travel import TRAVEL_SPECS

#: Every message type the playground knows. Domains added later declare here too.
CATALOG = Catalog([*ORDER_SPECS, *ONBOARDING_SPECS, *LOYALTY_SPECS, *TRAVEL_SPECS, *ORCHESTRATION_SPECS])

__all__ = ["CATALOG", "Catalog", "MessageSpec", "UnknownMessageType"]
