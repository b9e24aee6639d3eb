"""Mermaid text read back line by line: participants, arrows, notes, nodes and edges."""

import re

import pytest

from playground.analysis.event_graph import event_graph
from playground.errors import HorizonExceeded, PlaygroundError
from playground.runtime.fault_rules import Drop, Duplicate
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow
from playground.scenarios.ping_pong import ping_pong
from playground.viz.mermaid import LOOP_COLOUR, flowchart, sequence

ARROW = re.compile(r"^    (\w+)(->>|-x)(\w+): (\w+)")


def test_a_sequence_diagram_has_one_arrow_per_delivery_of_the_transaction(small_run):
    order = next(o for o, s in small_run.outcomes.items() if s == "completed")
    diagram = sequence(small_run, order)
    lines = diagram.lines()
    assert lines[0] == "sequenceDiagram"
    participants = [line.split()[1] for line in lines if line.startswith("    participant ")]
    assert participants == ["customers", "orders", "invoices", "payments", "shipping", "email"]
    arrows = [ARROW.match(line).groups() for line in lines if ARROW.match(line)]
    delivered = small_run.trace.where(kind="deliver", correlation_id=order)
    assert [(a, t) for (_, _, a, t) in arrows] == [(e.at, e.type) for e in delivered]
    assert all(kind == "->>" for _, kind, _, _ in arrows)
    notes = [line for line in lines if line.lstrip().startswith("Note over")]
    unheard = [line for line in notes if "nobody listens" in line]
    assert len(notes) - len(unheard) == len(small_run.trace.where(kind="effect", correlation_id=order))
    silent = [e for e in small_run.trace.where(kind="send", correlation_id=order) if not e.detail["to"]]
    assert [line.split()[4].rstrip(",") for line in unheard] == [e.type for e in silent] == ["ConfirmationSent"]
    assert diagram._repr_mimebundle_()["text/vnd.mermaid"] == diagram.source


def test_lost_and_duplicated_messages_show_in_the_sequence_diagram():
    plan = FaultPlan(messages=[Drop(type="InvoicePaid", nth=1), Duplicate(type="OrderPlaced", nth=1)])
    result = order_flow(orders=1, seed=1, faults=plan).run()
    lines = sequence(result, "order-0001", times=False).lines()
    assert "    invoices-xshipping: InvoicePaid (never arrived)" in lines
    assert lines.count("    orders->>invoices: OrderPlaced") == 1
    assert lines.count("    orders->>invoices: OrderPlaced again") == 1
    assert "    Note over shipping: fault: drop (" not in lines  # notes carry times only when asked
    assert any(line.startswith("    Note over shipping: fault: drop") for line in lines)


def test_an_unknown_id_gets_one_sentence(small_run):
    with pytest.raises(PlaygroundError, match="no entries for 'order-9999'"):
        sequence(small_run, "order-9999")


def test_the_flowchart_has_a_node_per_component_and_an_edge_per_flow(small_run):
    graph = event_graph(small_run)
    chart = flowchart(graph)
    lines = chart.lines()
    assert lines[0] == "flowchart LR"
    nodes = [re.match(r'^    c_(\w+)[\[(]', line).group(1) for line in lines if re.match(r'^    c_\w+[\[(]', line)]
    assert nodes == graph.components
    edges = [re.match(r'^    c_(\w+) -->\|"(\w+) ×(\d+)"\| c_(\w+)$', line) for line in lines if "-->" in line]
    assert {(m[1], m[2], m[4]): int(m[3]) for m in edges} == dict(graph.flows)
    assert not any(line.lstrip().startswith("linkStyle") for line in lines)  # no loop, nothing highlighted
    assert chart._repr_mimebundle_()["text/vnd.mermaid"] == "\n".join(lines)


def test_the_flowchart_of_a_loop_highlights_exactly_the_looping_edges():
    with pytest.raises(HorizonExceeded) as caught:
        ping_pong(orders=1, horizon=10).run()
    lines = flowchart(event_graph(caught.value.trace)).lines()
    edges = [line for line in lines if "-->" in line]
    (style,) = [line for line in lines if line.lstrip().startswith("linkStyle")]
    highlighted = [edges[int(i)] for i in style.split()[1].split(",")]
    assert LOOP_COLOUR in style
    assert [re.search(r'"(\w+)', e).group(1) for e in highlighted] == ["InvoiceCreated", "PaymentReceived"]


def test_long_notes_wrap_so_one_reason_cannot_shrink_the_whole_diagram():
    from playground.viz.mermaid import NOTE_WIDTH

    result = order_flow(orders=3, seed=1, malformed=1).run()
    parked = next(e.correlation_id for e in result.trace.where(kind="dead_letter"))
    notes = [line.split(": ", 1)[1] for line in sequence(result, parked).lines() if line.lstrip().startswith("Note over")]
    reason = next(note for note in notes if note.startswith("dead-lettered:"))
    pieces = reason.split("<br/>")
    assert len(pieces) > 1 and all(len(piece) <= NOTE_WIDTH for piece in pieces)
    assert " ".join(pieces).startswith("dead-lettered: PlaceOrder is malformed: field 'amount' should be a number")


def test_where_mermaid_is_not_drawn_the_diagram_reads_as_text():
    from playground.analysis.event_graph import event_graph
    from playground.orchestration.view import diagram
    from playground.flows.orders import ORDER_SAGA

    result = order_flow(orders=3, seed=1).run()
    pictures = {"sequence": sequence(result, "order-0002"), "flowchart": flowchart(event_graph(result)),
                "state": diagram(ORDER_SAGA)}
    for kind, picture in pictures.items():
        bundle = picture._repr_mimebundle_()
        assert bundle["text/vnd.mermaid"] == picture.source
        text = bundle["text/plain"]
        assert text.splitlines()[0].endswith("(drawn by JupyterLab; as text here):"), kind
        for syntax in ("sequenceDiagram", "participant", "classDef", "style ", "-->>", "->>", "|\"", "<br/>"):
            assert syntax not in text, (kind, syntax)
    assert "  orders → invoices: OrderPlaced (" in pictures["sequence"]._repr_mimebundle_()["text/plain"]
    assert "  orders → invoices: OrderPlaced ×3" in pictures["flowchart"]._repr_mimebundle_()["text/plain"]
    state = pictures["state"]._repr_mimebundle_()["text/plain"]
    assert "  order → invoice: done" in state and "  starts in new" in state
