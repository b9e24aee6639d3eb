"""The wirings: the same services connected by reactions (choreography) or by a saga orchestrator (orchestration).

Neither wiring imports the other, and both run on either transport (the
in-memory bus or Kafka): they are handed a bus, they never build one.
"""
