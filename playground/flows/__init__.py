"""The business flows as data, written once: who reacts to what (choreography), which steps in which order (orchestration).

Both wirings, the Kafka worker and the scenarios read these tables; none of
them keeps its own copy. A flow here names message types and services only,
so it sits above the services and the saga engine and below every wiring.
"""
