import pytest

from playground.errors import PlaygroundError
from playground.orchestration import dashboard
from playground.orchestration.view import Diagram, InstanceTable
from playground.scenarios import order_flow, travel_booking


@pytest.fixture(scope="module")
def busy_run():
    return travel_booking(trips=20, seed=1, fail={"car": 0.3}, latency={"hotels": 3.0}, watch=[10.0]).run()


def test_the_dashboard_has_one_row_per_instance_with_its_state(busy_run):
    table = dashboard(busy_run)
    assert len(table) == 20
    assert table.counts() == busy_run.counts()
    row = table.where(instance="trip-0001").rows[0]
    assert row["saga"] == "trip" and row["state"] in ("completed", "compensated")
    assert row["started"] == busy_run.trace.where(kind="send", type="BookTrip", correlation_id="trip-0001")[0].time


def test_a_snapshot_mid_run_shows_who_waits_for_what(busy_run):
    table = busy_run.extras["snapshots"][10.0]
    flying = table.in_flight()
    assert len(flying) > 3
    waiting_for_hotel = flying.where(state="hotel")
    assert len(waiting_for_hotel) >= 3  # the slow hotel is the bottleneck
    assert all(r["step"] == "hotel" and r["waiting"] == "a reply" and r["done"] == "flight"
               for r in waiting_for_hotel)


def test_the_table_prints_as_text_and_renders_as_html(busy_run):
    table = dashboard(busy_run)
    text = str(table)
    assert text.splitlines()[0].split() == ["instance", "saga", "state", "step", "attempt", "waiting", "done",
                                            "started", "updated", "reason"]
    assert text.splitlines()[-1].startswith("20 instances: ") and "(showing the first 20)" not in text
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 21
    assert "0x" not in text and "0x" not in html


def test_long_tables_show_their_first_rows_and_say_so():
    rows = [{"instance": f"i{i}", "saga": "s", "state": "completed", "step": "", "attempt": None, "waiting": "",
             "done": "", "started": 0.0, "updated": 1.0, "reason": ""} for i in range(25)]
    text = str(InstanceTable(rows))
    assert len(text.splitlines()) == 1 + 20 + 1
    assert text.endswith("25 instances: 25 completed (showing the first 20)")


def test_a_choreographed_run_has_no_dashboard():
    with pytest.raises(PlaygroundError, match="only orchestrated runs have a dashboard"):
        dashboard(order_flow(orders=3, seed=1).run())


def test_diagrams_render_as_mermaid_and_highlight_an_instance(busy_run):
    host = busy_run.extras["orchestrator"]
    picture = host.diagram("trip-0001")
    assert isinstance(picture, Diagram)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/vnd.mermaid", "text/plain"}
    source = bundle["text/vnd.mermaid"]
    assert "stateDiagram-v2" in source
    state = dashboard(busy_run).where(instance="trip-0001").rows[0]["state"]
    assert f"Class {state} s_active" in source
    assert source.count("s_active\n") + source.endswith("s_active") == 1
    assert "flight --> hotel: done" in source and "compensating --> compensated: undone" in source
    plain = busy_run.extras["saga"].diagram()
    assert "s_active" not in plain._repr_mimebundle_()["text/vnd.mermaid"].replace("classDef s_active", "")


def test_a_diagram_refuses_a_state_the_saga_does_not_have(busy_run):
    with pytest.raises(PlaygroundError, match="has no state called 'nowhere'; choose from new, flight"):
        busy_run.extras["saga"].diagram(highlight="nowhere")
