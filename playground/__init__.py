"""Conductor & Troupe: orchestration and choreography of the same services, hands-on."""
