"""Kafka mode: the choreography on a real broker, services as separate processes."""
