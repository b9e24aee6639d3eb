"""Chapter 09's claims, on the runs the chapter shows: spaghetti measured, contracts judged, the loop found and stopped."""

from dataclasses import replace

import pytest

from playground.analysis.event_graph import event_graph, loops_in
from playground.analysis.lineage import causation_depth, deepest_chain
from playground.analysis.metrics import messages_per_transaction
from playground.analysis.reaction_graph import reaction_cycles
from playground.analysis.whereabouts import reconstruct
from playground.catalog import CATALOG, MessageSpec
from playground.contracts.compatibility import MODES, breaking_consumers, compatibility
from playground.contracts.registry import ContractRefused, ContractRegistry
from playground.errors import HorizonExceeded
from playground.flows.orders import ORDER_REACTIONS
from playground.scenarios import order_flow
from playground.scenarios.ping_pong import PING_PONG_REACTIONS, ping_pong
from playground.scenarios.spaghetti import event_spaghetti

ORDERS, SEED = 20, 9
POINTS = CATALOG["RewardPointsAwarded"]
PROPOSALS = {
    "tier": replace(POINTS, version=2, fields={**POINTS.fields, "tier": str}, optional=frozenset({"tier"})),
    "rename": replace(POINTS, version=2, fields={"order_id": str, "customer": str, "score": int}),
    "retype": replace(POINTS, version=2, fields={**POINTS.fields, "points": float}),
    "remove customer": replace(POINTS, version=2, fields={"order_id": str, "points": int}),
}
GOVERNED_REACTIONS = event_spaghetti(teams=5, style="governed").definitions()["reactions"]


@pytest.fixture(scope="module")
def grown():
    runs = {n: event_spaghetti(orders=ORDERS, seed=SEED, teams=n).run() for n in range(6)}
    runs["governed"] = event_spaghetti(orders=ORDERS, seed=SEED, teams=5, style="governed").run()
    return runs


def _shape(run):
    graph = event_graph(run)
    return (set(messages_per_transaction(run).values()), max(causation_depth(run).values()),
            max(graph.consumers().values()), max(graph.fan_out().values()), graph.cycles(), dict(run.counts()))


def test_ch09_five_ungoverned_teams_take_an_order_from_8_to_51_messages_and_the_chain_from_8_to_11(grown):
    shapes = [_shape(grown[n]) for n in range(6)]
    assert [s[0] for s in shapes] == [{8}, {14}, {20}, {26}, {32}, {51}]
    assert [s[1] for s in shapes] == [8, 8, 8, 9, 10, 11]
    assert shapes[0][2:4] == (1, 2) and shapes[5][2:4] == (2, 4)  # consumers 1 → 2, fan-out 2 → 4
    assert all(s[4] == [] and s[5] == {"completed": ORDERS} for s in shapes)
    # the audit team alone adds 19 messages per order: it echoes the echoes
    assert sum(e.kind == "send" and e.at == "audit" for e in grown[5].trace.where(correlation_id="order-0001")) == 19
    assert deepest_chain(grown[5], "order-0010")[-5:] == ["DatabaseRowUpdated", "CustomerRecordChanged",
                                                         "PointsRecalculated", "SegmentChanged", "AuditLogged"]


def test_ch09_half_way_the_ungoverned_order_was_last_seen_as_an_audit_record_among_31_messages(grown):
    done = reconstruct(grown[5], "order-0010")
    halfway = (done.steps[0].time + done.outcome_at) / 2
    lost = reconstruct(grown[5], "order-0010", at=halfway)
    assert lost.steps[-1].type == "AuditLogged" and len(lost.steps) == 31 and len(lost.components) == 7
    assert len(done.steps) == 51 and sum(s.time > done.outcome_at for s in done.steps) == 13
    clear = reconstruct(grown["governed"], "order-0010", at=halfway)
    assert clear.steps[-1].type == "InvoiceCreated" and clear.steps[-1].waiting_at == ("payments",)


def test_ch09_governed_teams_cost_9_messages_with_more_consumers_per_event_and_more_fan_out(grown):
    assert _shape(grown["governed"]) == ({9}, 8, 4, 6, [], {"completed": ORDERS})
    graph = event_graph(grown["governed"])
    assert graph.consumers()["OrderCompleted"] == 4 and graph.fan_out()["orders"] == 6


def test_ch09_the_mode_table_and_who_breaks():
    verdicts = {label: {mode: compatibility(p, [POINTS], mode).ok for mode in MODES} for label, p in PROPOSALS.items()}
    assert all(verdicts["tier"].values())
    assert verdicts["rename"] == {mode: mode == "NONE" for mode in MODES}
    for label in ("retype", "remove customer"):
        assert verdicts[label] == {mode: mode in ("BACKWARD", "BACKWARD_TRANSITIVE", "NONE") for mode in MODES}
    broken = {label: sorted({b.consumer.name for b in breaking_consumers(p, CATALOG, reactions=GOVERNED_REACTIONS)})
              for label, p in PROPOSALS.items()}
    assert broken == {"tier": [], "rename": ["marketing"], "retype": ["marketing"], "remove customer": []}


def test_ch09_traffic_finds_consumers_the_tables_do_not_know(grown):
    core_only = ContractRegistry(CATALOG, reactions=ORDER_REACTIONS)
    assert core_only.review(PROPOSALS["rename"]).broken == []
    assert core_only.review(PROPOSALS["rename"], traffic=grown["governed"]).broken == ["marketing"]


def test_ch09_the_merge_gate_passes_the_optional_field_and_fails_the_rename(grown):
    def branch_with(change):
        return [change if spec.name == change.name else spec for spec in CATALOG]

    registry = ContractRegistry(CATALOG, reactions=GOVERNED_REACTIONS)
    assert [r.ok for r in registry.require(branch_with(PROPOSALS["tier"]), traffic=grown["governed"])] == [True]
    with pytest.raises(ContractRefused, match="would break marketing"):
        registry.require(branch_with(PROPOSALS["rename"]), traffic=grown["governed"])


def test_ch09_the_ping_pong_loop_is_found_from_traffic_contained_by_a_limit_and_prevented_statically():
    with pytest.raises(HorizonExceeded) as stopped:
        ping_pong(orders=ORDERS, seed=SEED, horizon=60).run()
    trace = stopped.value.trace
    assert sum(e.kind == "send" for e in trace.entries) == 438
    assert loops_in(trace) == ["InvoiceCreated → PaymentReceived → InvoiceCreated"]
    assert max(causation_depth(trace).values()) == 39
    contained = ping_pong(orders=ORDERS, seed=SEED, max_depth=20).run()
    assert contained.counts() == {"dead-lettered": ORDERS} and len(contained.dead_letters) == ORDERS
    assert contained.dead_letters[0].reason.startswith("its causation chain reached 21 messages, past the limit of 20")
    assert reaction_cycles(PING_PONG_REACTIONS) == [["PaymentReceived", "InvoiceCreated"]]
    assert reaction_cycles(ORDER_REACTIONS) == []
    fixed = order_flow(orders=ORDERS, seed=SEED).run()
    assert fixed.counts() == {"completed": ORDERS} and round(fixed.finished_at, 1) == 25.0
    assert max(causation_depth(fixed).values()) == 8 and loops_in(fixed) == []


def test_ch09_your_turn_a_required_tier_is_refused_under_full_and_an_optional_one_accepted():
    full = ContractRegistry(CATALOG, reactions=GOVERNED_REACTIONS, modes={"RewardPointsAwarded": "FULL"})
    assert not full.review(replace(POINTS, version=2, fields={**POINTS.fields, "tier": str})).ok
    assert full.review(PROPOSALS["tier"]).ok


def test_ch09_exercise_answers():
    forward = ContractRegistry(CATALOG, reactions=GOVERNED_REACTIONS, modes={"RewardPointsAwarded": "FORWARD"})
    reviews = {label: forward.review(p) for label, p in PROPOSALS.items()}
    assert [label for label, r in reviews.items() if r.ok] == ["tier"]
    assert reviews["remove customer"].breaks == [] and not reviews["remove customer"].ok
    a1 = MessageSpec("T", "event", "t", {"a": str}, "x")
    a2 = replace(a1, version=2, fields={"a": str, "b": str}, optional=frozenset({"a", "b"}))
    a3 = replace(a1, version=3, fields={"b": str}, optional=frozenset({"b"}))
    assert compatibility(a3, [a1, a2], "FORWARD").ok and not compatibility(a3, [a1, a2], "FORWARD_TRANSITIVE").ok
    scenario = event_spaghetti(style="ungoverned")
    reactions = scenario.definitions()["reactions"]
    reactions = {**reactions, "crm": {**reactions["crm"], "SegmentChanged": "SyncCustomerRow"}}
    assert len(ContractRegistry(CATALOG, reactions=reactions).mismatches()) == 4
    assert reaction_cycles(reactions, scenario) == [["SegmentChanged", "CustomerRecordChanged", "PointsRecalculated"]]
    assert max(causation_depth(event_spaghetti(orders=5, seed=SEED, style="governed").run()).values()) == 8


def test_ch09_the_picture_shows_the_flows_own_eight_messages_under_every_bar(grown):
    from playground.viz.traffic import plot_message_mix

    runs = {**{str(n): grown[n] for n in range(6)}, "governed": grown["governed"]}
    ax = plot_message_mix(runs).axes[0]
    assert [bar.get_width() for bar in ax.containers[0]] == [8.0] * 7
    assert [t.get_text().strip() for t in ax.texts] == ["9", "51", "32", "26", "20", "14", "8"]  # bottom-up
