"""The customer-data pipeline's services: ingest, and one service per destination.

Every destination is an upsert keyed by the record id: loading the same
record twice leaves one copy, so a redelivered command does no harm and no
destination needs a compensation.

>>> Crm().handle("SyncCrm", {"record_id": "rec-1", "customer": "c-1", "email": "c-1@example.org"})
[Emit(type='CrmSynced', payload={'record_id': 'rec-1'})]
"""

from __future__ import annotations

from typing import Any, ClassVar

from playground.services.base import Service, emit, handles


class Ingest(Service):
    """Takes records in from source systems, normalises the email address, announces the clean record."""

    name = "ingest"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.seen: set[str] = set()

    @handles("IngestRecord")
    def ingest(self, record_id: str, customer: str, email: str):
        self.seen.add(record_id)
        return [emit("RecordIngested", record_id=record_id, customer=customer, email=email.strip().lower())]


class Destination(Service):
    """A store that keeps the latest copy of every record it is given (an idempotent upsert)."""

    command: ClassVar[str] = ""
    event: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.command:  # every destination handles its one command with the same upsert
            cls.commands = {**cls.commands, cls.command: "store"}

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.rows: dict[str, dict[str, Any]] = {}

    def store(self, record_id: str, **fields: Any):
        if record_id not in self.rows:
            self.note_effect("load", record_id, destination=self.name)
        self.rows[record_id] = fields
        return [emit(self.event, record_id=record_id)]


class Warehouse(Destination):
    """The analytics data warehouse."""

    name, command, event = "warehouse", "LoadWarehouse", "WarehouseLoaded"


class SearchIndex(Destination):
    """The customer search index the support desk uses."""

    name, command, event = "search", "IndexRecord", "RecordIndexed"


class Crm(Destination):
    """The sales team's CRM: the destination added in the change-coupling experiment."""

    name, command, event = "crm", "SyncCrm", "CrmSynced"


class Marketing(Destination):
    """The marketing team's mailing audience."""

    name, command, event = "marketing", "AddToAudience", "AudienceUpdated"


#: Destination classes by name, in the order the pipeline lists them.
DESTINATIONS: dict[str, type[Destination]] = {cls.name: cls for cls in (Warehouse, SearchIndex, Crm, Marketing)}
