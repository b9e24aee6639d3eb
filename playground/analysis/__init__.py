"""Analysis of a run from its trace: invariants, metrics, the event-flow graph, OpenTelemetry export."""
