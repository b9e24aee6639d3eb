"""The control panel, driven through its widgets as a learner would (no browser needed)."""

import asyncio
from html import unescape

import pytest

from playground.live import registry
from playground.live.panel import LivePanel
from playground.live.settings import Settings

FAST = dict(rate=2.0, speed=50.0)


@pytest.fixture(autouse=True)
def _no_panel_left_behind():
    yield
    registry.shutdown_all()


@pytest.mark.parametrize("field, text, words", [
    ("rate", "-3", "The order rate must be a number greater than 0"),
    ("rate", "", "The order rate is empty"),
    ("speed", "0", "The speed must be a number greater than 0"),
    ("decline", "2", "between 0 and 1"),
    ("timeout", "", 'or "off" to wait for ever'),
    ("replay_orders", "-5", "whole number of at least 1"),
    ("replay_orders", "", "is empty"),
])
def test_bad_values_are_refused_in_the_panel_and_the_last_good_value_stays(field, text, words):
    panel = LivePanel(Settings(), key="bad-values")
    before = panel.settings
    getattr(panel, field).value = text
    assert words in unescape(panel.message.value)
    assert "pg-message-error" in panel.message.value
    assert "pg-invalid" in getattr(panel, field)._dom_classes
    assert panel.settings == before and panel.errors == []
    getattr(panel, field).value = "5" if field != "decline" else "0.5"
    assert "pg-invalid" not in getattr(panel, field)._dom_classes


def test_bad_latency_and_failure_rates_per_service_are_refused_too():
    panel = LivePanel(Settings(), key="bad-values")
    panel.latency["payments"].value = "-0.5"
    assert "The latency of payments cannot be negative" in panel.message.value
    panel.failure["email"].value = "lots"
    assert "The failure rate of email must be a number" in panel.message.value
    panel.latency["payments"].value = "0.2-0.4"
    assert str(panel.settings.latency["payments"]) == "Uniform(low=0.2, high=0.4)"
    assert panel.errors == []


def test_buttons_before_start_explain_instead_of_failing():
    panel = LivePanel(Settings(), key="idle")
    panel.place_button.click()
    assert "press start first" in panel.message.value
    panel.crash_buttons["email"].click()
    assert "press start first" in panel.message.value
    assert panel.errors == []
    # The orchestrator cannot be crashed when only the choreography is chosen.
    assert panel.crash_buttons["orchestrator"].disabled


def test_start_crash_restore_and_stop_through_the_buttons(eventually):
    async def main():
        panel = LivePanel(Settings(**FAST), key="buttons", refresh=0.05, plot_every=0.3)
        first_plot = bytes(panel.plot.value)
        panel.start_button.click()
        await panel.idle()
        email = lambda: panel.sessions["choreography"].tally.backlog["email"]  # noqa: E731
        shown = lambda: panel.counters.value  # noqa: E731
        assert await eventually(lambda: "<td>completed</td><td>0</td>" not in shown())
        panel.crash_buttons["email"].click()
        buttons = panel.restore_buttons["email"].disabled, panel.crash_buttons["email"].disabled
        piled = await eventually(lambda: email() >= 10)
        panel.restore_buttons["email"].click()
        drained = await eventually(lambda: email() <= 1)
        redrawn = await eventually(lambda: bytes(panel.plot.value) != first_plot)
        panel.place_button.click()
        panel.stop_button.click()
        await panel.idle()
        return panel, buttons, piled, drained, redrawn

    panel, buttons, piled, drained, redrawn = asyncio.run(main())
    assert buttons == (False, True)  # while email is down only "restore" can be pressed
    assert piled and drained and redrawn
    assert panel.counts()["choreography"]["completed"] > 5
    assert not panel.running and panel.errors == []
    assert "Stopped" in panel.message.value


def test_both_wirings_run_side_by_side_and_the_orchestrator_can_be_crashed(eventually):
    async def main():
        panel = LivePanel(Settings(wiring="both", **FAST), key="both", refresh=0.05)
        panel.start_button.click()
        await panel.idle()
        orchestrator = lambda: panel.sessions["orchestration"].tally.backlog["orchestrator"]  # noqa: E731
        panel.crash_buttons["orchestrator"].click()
        piled = await eventually(lambda: orchestrator() > 3)
        panel.restore_buttons["orchestrator"].click()
        panel.duplicate_target.value = "email"
        panel.duplicate_button.click()
        # The email service is naive: the duplicated message sends a second confirmation, an anomaly.
        flagged = await eventually(lambda: panel._show_counts(check=True) or
                                   panel.sessions["choreography"].tally.anomalies >= 1)
        both = await eventually(lambda: all(c["completed"] > 10 for c in panel.counts().values()))
        await panel.stop()
        return panel, piled, flagged, both

    panel, piled, flagged, both = asyncio.run(main())
    assert set(panel.counts()) == {"choreography", "orchestration"}
    assert piled and flagged and both
    assert panel.errors == []


def test_a_new_panel_under_the_same_key_stops_the_old_one(eventually):
    async def main():
        old = LivePanel(Settings(**FAST), key="chapter")
        old.start_button.click()
        await old.idle()
        await asyncio.sleep(0.1)
        new = LivePanel(Settings(**FAST), key="chapter")  # the cell ran again
        await eventually(lambda: not old.running and not old._tasks)
        await old.idle()
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return old, new, left

    old, new, left = asyncio.run(main())
    assert not old.running and registry.active()["chapter"] is new
    assert left == []


def test_changing_the_wiring_while_running_restarts_with_the_new_one():
    async def main():
        panel = LivePanel(Settings(**FAST), key="rewire")
        panel.start_button.click()
        await panel.idle()
        panel.wiring.value = "orchestration"
        await panel.idle()
        running = sorted(panel.sessions), panel.running
        await panel.stop()
        return running

    assert asyncio.run(main()) == (["orchestration"], True)


def test_replay_is_deterministic_and_shows_in_the_panel():
    panel = LivePanel(Settings(orders=60, seed=3), key="replay")
    first = panel.replay()
    text = panel.replay_summary.value
    again = panel.replay()
    assert first.results["choreography"].trace.digest() == again.results["choreography"].trace.digest()
    assert "60 orders" in text and bytes(panel.replay_plot.value).startswith(b"\x89PNG")


def test_the_replay_button_replays_live_crashes_on_simulated_time():
    async def main():
        panel = LivePanel(Settings(orders=80, **FAST), key="replay-button")
        panel.start_button.click()
        await panel.idle()
        panel.crash_buttons["email"].click()
        await asyncio.sleep(0.3)
        panel.restore_buttons["email"].click()
        await panel.stop()
        panel.replay_button.click()
        await panel.idle()
        return panel

    panel = asyncio.run(main())
    crashes = panel.last_replay.crashes
    assert list(crashes) == ["email"] and crashes["email"][0][1] > crashes["email"][0][0]
    assert "crashes replayed: email" in panel.replay_summary.value
    assert panel.errors == []


def test_the_text_shown_for_a_panel_is_stable():
    panel = LivePanel(Settings(), key="repr")
    assert repr(panel) == "LivePanel('repr': choreography, 1 orders/s, speed 10×, stopped)"
    assert panel._repr_mimebundle_()["text/plain"] == repr(panel)
