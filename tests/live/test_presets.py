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
