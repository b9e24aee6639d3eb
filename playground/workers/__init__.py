"""Composition on Kafka: services (and, later, orchestrators) hosted as worker processes, and the commands that start them.

This folder sits beside the scenarios: it puts services, a wiring and the
Kafka transport together. The transport itself lives in ``playground.kafka``.
"""
