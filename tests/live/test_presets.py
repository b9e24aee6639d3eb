"""Presets: each chapter's panel starts from its experiment."""

import pytest

from playground.errors import ScenarioError
from playground.live import registry
from playground.live.presets import PRESETS, panel_for


@pytest.fixture(autouse=True)
def _no_panel_left_behind():
    yield
    registry.shutdown_all()


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_a_panel_registered_under_its_name(name):
    panel = panel_for(name)
    assert registry.active()[name] is panel
    assert panel.title == PRESETS[name].title and "start" in PRESETS[name].hint


def test_overrides_change_one_knob_and_keep_the_preset_latencies():
    panel = panel_for("two-ways", speed=25, latency={"email": 0.5})
    assert panel.settings.speed == 25
    assert str(panel.settings.latency["payments"]) == "Uniform(low=0.9, high=1.5)"
    assert panel.latency["payments"].value == "0.9-1.5"


def test_the_invoice_incident_replay_breaks_only_the_orchestrated_wiring():
    replay = panel_for("invoice-incident", orders=80).replay()
    assert replay.anomalies("orchestration") > 0
    assert replay.anomalies("choreography") == 0


def test_an_unknown_preset_is_refused_with_the_choices():
    with pytest.raises(ScenarioError, match="choose from email-outage, invoice-incident, playground, two-ways"):
        panel_for("chapter-99")


def test_the_email_outage_replay_does_what_its_hint_says():
    # The hint: choreography keeps completing; the orchestrator waits 10 s at its email step, then undoes orders.
    replay = panel_for("email-outage").replay()
    choreographed, orchestrated = replay.counts("choreography"), replay.counts("orchestration")
    assert choreographed["completed"] == 300 and choreographed["cancelled"] == 0
    assert orchestrated["cancelled"] > 50 and orchestrated["completed"] + orchestrated["cancelled"] == 300
    undone = replay.results["orchestration"].trace.where(kind="timeout")
    assert undone and {e.detail["step"] for e in undone} == {"confirm"}
    assert "10 s at its email step, then undoes orders" in PRESETS["email-outage"].hint


def test_anomalies_count_orders_once_however_many_invariants_they_break():
    replay = panel_for("invoice-incident", orders=80).replay()
    from playground.analysis.invariants import check

    broken = check(replay.results["orchestration"])
    per_order = [v.correlation_id for found in broken.values() for v in found]
    assert len(per_order) > len(set(per_order))  # some order breaks more than one invariant...
    assert replay.anomalies("orchestration") == len(set(per_order))  # ...and still counts once
    assert f"{len(set(per_order))} with an anomaly" in replay.summary(digest=False)
