"""Transports: what carries envelopes between inboxes (the in-memory bus here; Kafka in ``playground.kafka``).

A transport knows the runtime (clock, trace, faults) and the catalog, never a
service or a wiring.
"""
