"""Contracts of the customer-data pipeline: records come in once and go out to several destinations.

The ingest service announces each cleaned record with ``RecordIngested``;
every destination (the data warehouse, the search index, later a CRM sync
and a marketing audience) takes the record with its own command and
answers with its own event. Each destination's contracts belong to the
team that runs that destination.
"""

from playground.catalog.base import MessageSpec

S = str


def _destination(owner: str, command: str, event: str, fields: dict, what: str) -> list[MessageSpec]:
    return [
        MessageSpec(command, "command", owner, {"record_id": S, **fields}, f"Put a customer record into {what}."),
        MessageSpec(event, "event", owner, {"record_id": S}, f"A customer record is now in {what}."),
    ]


PIPELINE_SPECS = [
    MessageSpec("IngestRecord", "command", "ingest", {"record_id": S, "customer": S, "email": S},
                "Take in a customer record from a source system and clean it."),
    MessageSpec("RecordIngested", "event", "ingest", {"record_id": S, "customer": S, "email": S},
                "A cleaned customer record is ready for every destination."),
    *_destination("warehouse", "LoadWarehouse", "WarehouseLoaded", {"customer": S}, "the data warehouse"),
    *_destination("search", "IndexRecord", "RecordIndexed", {"customer": S, "email": S}, "the search index"),
    *_destination("crm", "SyncCrm", "CrmSynced", {"customer": S, "email": S}, "the CRM"),
    *_destination("marketing", "AddToAudience", "AudienceUpdated", {"email": S}, "the marketing audience"),
]
