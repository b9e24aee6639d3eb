"""Conductor & Troupe: orchestration and choreography of the same services, hands-on.

This is the front door: everything a chapter, an exercise or a learner's own
domain needs is importable from ``playground`` itself, so a notebook's imports
fit in one cell. The modules behind it are the package's own business and may
move; the names below stay.

>>> from playground import order_flow, check
>>> result = order_flow(orders=20, seed=7).run()
>>> result.counts()
Counter({'completed': 20})
>>> check(result)["effects-at-most-once"]
[]

Names load on first use (``import playground`` stays cheap, so a Kafka worker
does not pay for matplotlib or widgets). ``GROUPS`` lists them by purpose;
``help(playground)`` shows the same list.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: purpose → {public name: module that defines it}. One entry per name; the test suite checks each resolves.
GROUPS: dict[str, dict[str, str]] = {
    "scenarios (ready-made runs: build, then .run(seed=...))": {
        "order_flow": "playground.scenarios.order_flow",
        "OrderFlow": "playground.scenarios.order_flow",
        "onboarding_flow": "playground.scenarios.onboarding",
        "invoice_incident": "playground.scenarios.invoice_incident",
        "incident_saga": "playground.scenarios.invoice_incident",
        "PAYMENT_LATENCY": "playground.scenarios.invoice_incident",
        "incident_with": "playground.scenarios.incident_variants",
        "travel_booking": "playground.scenarios.travel",
        "freight": "playground.scenarios.freight",
        "customs_saga": "playground.scenarios.freight",
        "customs_steps": "playground.scenarios.freight",
        "shipment_saga": "playground.scenarios.freight",
        "FREIGHT_REACTIONS": "playground.scenarios.freight",
        "travel_saga": "playground.scenarios.travel",
        "trip_with": "playground.scenarios.trip_variants",
        "data_pipeline": "playground.scenarios.pipeline",
        "pipeline_reactions": "playground.scenarios.pipeline",
        "pipeline_saga": "playground.scenarios.pipeline",
        "approval_desk": "playground.scenarios.approval_desk",
        "who_decided": "playground.scenarios.approval_desk",
        "ApprovalDesk": "playground.scenarios.approval_desk",
        "growing_orchestrator": "playground.scenarios.god_orchestrator",
        "legacy_migration": "playground.scenarios.strangler",
        "fulfilment_saga": "playground.scenarios.strangler",
        "push_join": "playground.scenarios.push_join",
        "contract_styles": "playground.scenarios.row_events",
        "ContractStyles": "playground.scenarios.row_events",
        "confirmation_flow": "playground.scenarios.confirmation",
        "confirming_saga": "playground.scenarios.confirmation",
        "order_flow_with": "playground.scenarios.new_consumer",
        "new_version": "playground.scenarios.new_version",
        "ping_pong": "playground.scenarios.ping_pong",
        "evolving_orders": "playground.scenarios.evolving",
        "PING_PONG_REACTIONS": "playground.scenarios.ping_pong",
        "event_spaghetti": "playground.scenarios.spaghetti",
        "parcel_flow": "playground.scenarios.parcels",
        "stale_copies": "playground.scenarios.stale_copies",
        "consumer_lag": "playground.scenarios.stale_copies",
        "PARCEL_REACTIONS": "playground.scenarios.parcels",
        "Scenario": "playground.scenarios.base",
        "Result": "playground.runtime.result",
    },
    "faults (one plan serves both wirings)": {
        "FaultPlan": "playground.runtime.faults",
        "Drop": "playground.runtime.fault_rules",
        "Duplicate": "playground.runtime.fault_rules",
        "Delay": "playground.runtime.fault_rules",
        "Reorder": "playground.runtime.fault_rules",
        "FailCalls": "playground.runtime.fault_rules",
        "crash_windows": "playground.orchestration.host",
        "Fixed": "playground.runtime.latency",
        "Uniform": "playground.runtime.latency",
        "Exponential": "playground.runtime.latency",
        "LongTail": "playground.runtime.latency",
    },
    "invariants and metrics (read a Result)": {
        "check": "playground.analysis.invariants",
        "Violation": "playground.analysis.invariants",
        "one_terminal_state": "playground.analysis.invariants",
        "paid_without_invoice": "playground.analysis.invariants",
        "money_conserved": "playground.analysis.invariants",
        "effects_at_most_once": "playground.analysis.invariants",
        "compensations_mirror_forward_steps": "playground.analysis.invariants",
        "end_to_end": "playground.analysis.metrics",
        "latency_percentiles": "playground.analysis.metrics",
        "throughput": "playground.analysis.metrics",
        "backlog": "playground.analysis.metrics",
        "availability": "playground.analysis.metrics",
        "messages_per_transaction": "playground.analysis.metrics",
        "fan_out": "playground.analysis.metrics",
        "side_by_side": "playground.analysis.compare",
        "scorecard": "playground.analysis.experiments",
        "ChangeRequest": "playground.analysis.dimensions",
        "flips": "playground.analysis.dimensions",
        "pace": "playground.analysis.experiments",
        "DIMENSIONS": "playground.analysis.dimensions",
        "footprint": "playground.analysis.coupling",
        "compare": "playground.analysis.coupling",
        "hot_spots": "playground.analysis.coupling",
        "event_graph": "playground.analysis.event_graph",
        "loops_in": "playground.analysis.event_graph",
        "causation_depth": "playground.analysis.lineage",
        "deepest_chain": "playground.analysis.lineage",
        "reaction_graph": "playground.analysis.reaction_graph",
        "reaction_cycles": "playground.analysis.reaction_graph",
        "emits_of": "playground.analysis.reaction_graph",
        "behaviour": "playground.analysis.behaviour",
        "fingerprint": "playground.analysis.behaviour",
        "difference": "playground.analysis.behaviour",
        "local_states": "playground.analysis.local_states",
        "welcomed_to_a_closed_account": "playground.analysis.onboarding",
        "reconstruct": "playground.analysis.whereabouts",
        "reply_times": "playground.analysis.waits",
        "stranded_reservations": "playground.analysis.reservations",
        "refused_for_unfinished": "playground.analysis.reservations",
        "crossings": "playground.analysis.boundary",
        "clearance_times": "playground.analysis.boundary",
        "arrivals": "playground.analysis.boundary",
        "rejections": "playground.analysis.boundary",
        "waited_during": "playground.analysis.boundary",
        "heard_by": "playground.analysis.boundary",
        "unanswered": "playground.analysis.reconcile",
        "saga_size": "playground.analysis.scope",
        "load": "playground.analysis.scope",
        "held_at": "playground.analysis.scope",
        "open_at": "playground.analysis.scope",
        "handled": "playground.analysis.windows",
        "drained_at": "playground.analysis.windows",
        "finished_between": "playground.analysis.windows",
        "peak": "playground.analysis.windows",
        "export_spans": "playground.analysis.otel",
        "detect_god_orchestrator": "playground.analysis.pitfalls",
        "detect_chatty_events": "playground.analysis.pitfalls",
        "detect_lost_stories": "playground.analysis.pitfalls",
        "detect_stale_copies": "playground.analysis.pitfalls",
        "value_history": "playground.analysis.pitfalls",
    },
    "pictures": {
        "swimlane": "playground.viz.timeline",
        "sequence": "playground.viz.mermaid",
        "flowchart": "playground.viz.mermaid",
        "plot_message_mix": "playground.viz.traffic",
        "message_mix": "playground.viz.traffic",
        "plot_activity": "playground.viz.activity",
        "plot_backlog": "playground.viz.charts",
        "plot_latency": "playground.viz.charts",
        "plot_follow_up": "playground.viz.follow_up",
        "plot_outage": "playground.viz.outage",
        "plot_scorecard": "playground.viz.scorecard",
        "plot_work_rates": "playground.viz.outage",
        "plot_reply_times": "playground.viz.reply_times",
        "plot_saga_states": "playground.viz.saga_states",
        "state_network": "playground.viz.state_network",
        "dashboard": "playground.orchestration",
        "plot_clearance": "playground.viz.boundary",
        "plot_copies": "playground.viz.copies",
        "diagram": "playground.orchestration.view",
        "hosting_agent": "playground.viz.backstage",
        "saga_machine": "playground.viz.backstage",
        "machine_diagram": "playground.viz.backstage",
    },
    "building blocks for your own services, reactions and sagas": {
        "Service": "playground.services.base",
        "handles": "playground.services.base",
        "emit": "playground.services.base",
        "Email": "playground.services.orders",
        "Billing": "playground.services.parcels",
        "Tracking": "playground.services.parcels",
        "fee_for": "playground.services.parcels",
        "Payments": "playground.services.orders",
        "ForgetfulCars": "playground.services.naive_cars",
        "Sales": "playground.services.credit",
        "VersionedSales": "playground.services.credit",
        "CheckingSales": "playground.services.credit",
        "CreditDesk": "playground.services.credit",
        "PushNotifications": "playground.services.notifications",
        "RowLevelOrders": "playground.services.order_variants",
        "Seniors": "playground.services.escalation",
        "SagaDefinition": "playground.orchestration.saga",
        "adds_orchestrator": "playground.wiring.orchestration",
        "Step": "playground.orchestration.saga",
        "Announce": "playground.orchestration.saga",
        "Retry": "playground.orchestration.saga",
        "Approval": "playground.orchestration.saga",
        "Parallel": "playground.orchestration.saga",
        "saga_structure": "playground.orchestration.structure",
        "ORDER_SAGA": "playground.flows.orders",
        "onboarding_saga": "playground.flows.onboarding",
        "ORDER_REACTIONS": "playground.flows.orders",
        "ONBOARDING_REACTIONS": "playground.flows.onboarding",
        "describe_reactions": "playground.wiring.choreography",
        "domain_catalog": "playground.catalog",
        "choreograph": "playground.wiring.choreography",
        "orchestrate": "playground.wiring.orchestration",
        "host_services": "playground.wiring.orchestration",
        "FaustConsumer": "playground.wiring.agents",
        "MachineOrchestrator": "playground.wiring.machines",
        "machine_summary": "playground.wiring.machines",
        "CATALOG": "playground.catalog",
        "Catalog": "playground.catalog",
        "MessageSpec": "playground.catalog",
        "Excerpt": "playground.runtime.trace",
        "Trace": "playground.runtime.trace",
    },
    "contracts (versions, compatibility modes, a governed catalog)": {
        "compatibility": "playground.contracts.compatibility",
        "read_problems": "playground.contracts.compatibility",
        "consumers_of": "playground.contracts.compatibility",
        "breaking_consumers": "playground.contracts.compatibility",
        "field_changes": "playground.contracts.compatibility",
        "MODES": "playground.contracts.compatibility",
        "ContractRegistry": "playground.contracts.registry",
        "ContractRefused": "playground.contracts.registry",
    },
    "design your own process (chapter 12)": {
        "load_spec": "playground.design.spec",
        "ProcessSpec": "playground.design.spec",
        "Capability": "playground.design.spec",
        "Interaction": "playground.design.spec",
        "Task": "playground.design.spec",
        "SpecError": "playground.design.spec",
        "TRIGGERS": "playground.design.spec",
        "GUARANTEES": "playground.design.spec",
        "recommend": "playground.design.recommend",
        "Recommendation": "playground.design.recommend",
        "map_capabilities": "playground.design.recommend",
        "identify_triggers": "playground.design.recommend",
        "define_guarantees": "playground.design.recommend",
        "pick_patterns": "playground.design.recommend",
        "spec_catalog": "playground.design.messages",
        "capability_services": "playground.design.capabilities",
        "prototype": "playground.design.prototype",
        "Prototype": "playground.design.prototype",
        "PrototypeFactory": "playground.design.prototype",
        "guarantee_checks": "playground.design.guarantees",
        "broken_guarantees": "playground.design.guarantees",
        "fault_suite": "playground.design.faults",
        "standard_changes": "playground.design.measure",
        "measure_prototype": "playground.design.measure",
        "Measurement": "playground.design.measure",
        "workbook": "playground.design.workbook",
        "Workbook": "playground.design.workbook",
        "process_map": "playground.design.pictures",
        "plot_guarantees": "playground.design.pictures",
    },
    "errors": {
        "PlaygroundError": "playground.errors",
        "ScenarioError": "playground.errors",
        "SagaDefinitionError": "playground.errors",
        "HorizonExceeded": "playground.errors",
        "AgentError": "playground.wiring.agents",
        "MachineWiringError": "playground.wiring.machines",
        "HandlerReturnError": "playground.services.base",
    },
    "a real broker (chapter 15)": {
        "BrokerLab": "playground.workers.lab",
        "watch_room": "playground.kafka.room",
    },
    "live panels": {
        "panel_for": "playground.live",
        "LivePanel": "playground.live",
    },
    "grading": {
        "SelfCheck": "playground.grading",
        "grade_notebook": "playground.grading",
    },
}

_WHERE: dict[str, str] = {name: module for group in GROUPS.values() for name, module in group.items()}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"playground has no public name {name!r}; see playground.__all__ for what it offers.")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__doc__ += "\n" + "\n".join(
    f"\n{purpose}:\n    " + ", ".join(sorted(names)) for purpose, names in GROUPS.items())
