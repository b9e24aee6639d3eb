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
from playground.catalog.escalation import ESCALATION_SPECS
from playground.catalog.freight import FREIGHT_SPECS
from playground.catalog.legacy import LEGACY_SPECS
from playground.catalog.notifications import NOTIFICATION_SPECS
from playground.catalog.order_variants import ORDER_VARIANT_SPECS
from playground.catalog.pipeline import PIPELINE_SPECS
from playground.catalog.screening import SCREENING_SPECS
from playground.catalog.spaghetti import SPAGHETTI_SPECS
from playground.catalog.parcels import PARCEL_SPECS
from playground.catalog.credit import CREDIT_SPECS

#: Every message type the playground knows. Domains added later declare here too.
CATALOG = Catalog([*ORDER_SPECS, *ONBOARDING_SPECS, *LOYALTY_SPECS, *TRAVEL_SPECS, *ORCHESTRATION_SPECS,
                   *PIPELINE_SPECS, *NOTIFICATION_SPECS, *ORDER_VARIANT_SPECS, *LEGACY_SPECS, *ESCALATION_SPECS,
                   *SCREENING_SPECS, *SPAGHETTI_SPECS,
                   *FREIGHT_SPECS, *PARCEL_SPECS, *CREDIT_SPECS])



def domain_catalog(*specs: MessageSpec) -> Catalog:
    """A catalog of your own for one domain: your message types plus the orchestrator's own.

    Build it in the cell where you declare the messages: every run of that cell
    makes a new catalog, so changing a field and running the cell again just
    works (the playground's global ``CATALOG`` is never touched). Give it to a
    scenario (``catalog = ...`` on the class) and to ``SagaDefinition(..., catalog=...)``.

    >>> claims = domain_catalog(MessageSpec("FileClaim", "command", "claims", {"claim_id": str}, "File a claim."))
    >>> "FileClaim" in claims, "FileClaim" in CATALOG, "SagaCompleted" in claims
    (True, False, True)
    """
    return Catalog([*ORCHESTRATION_SPECS, *specs])


__all__ = ["CATALOG", "Catalog", "MessageSpec", "UnknownMessageType", "domain_catalog"]
