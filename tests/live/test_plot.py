"""The panel's picture: thinned backlog curves keep every peak; both wirings share one figure."""

import pytest

from playground.live.plot import curves_from_result, draw, peaks, png
from playground.runtime.faults import FaultPlan
from playground.scenarios import order_flow


def test_peaks_keep_the_highest_level_of_every_slice_and_the_last_level():
    times = [i * 0.1 for i in range(1000)]
    values = [(i % 50) for i in range(1000)]
    t, v = peaks(times, values, bins=20)
    assert len(t) == 21 and t[0] == 0.0 and t[-1] == times[-1]
    assert max(v) == 49 and v[-1] == values[-1]
    assert peaks([0.0, 1.0], [0, 1], bins=20) == ([0.0, 1.0], [0, 1])


def test_curves_from_a_run_count_its_outcomes_and_show_an_outage():
    result = order_flow(orders=40, seed=1, decline_rate=0.2, faults=FaultPlan(outages={"email": [(5, 25)]})).run()
    curves = curves_from_result(result)
    ends = result.counts()
    assert curves.completed[1][-1] == ends["completed"] and curves.cancelled[1][-1] == ends["cancelled"]
    assert max(curves.backlog["email"][1]) >= 5 and "dead-letters" not in curves.backlog


def test_two_wirings_in_one_figure_are_told_apart_by_line_style():
    run = {w: curves_from_result(order_flow(orders=10, seed=2, wiring=w).run())
           for w in ("choreography", "orchestration")}
    fig = draw(run, title="side by side")
    top, bottom = fig.axes
    styles = {line.get_label(): line.get_linestyle() for line in top.get_lines()}
    assert styles == {"completed (choreography)": "-", "completed (orchestration)": "--",
                      "cancelled (choreography)": "-", "cancelled (orchestration)": "--"}
    assert "orchestrator" in [line.get_label() for line in bottom.get_lines()]
    assert bottom.get_xlabel() == "simulated time (s)"
    assert png(fig)[:4] == b"\x89PNG"


def test_a_picture_before_anything_ran_has_readable_axes():
    from playground.live.plot import EMPTY_SPAN, Curves, LivePlot

    plot = LivePlot()
    empty = Curves(([], []), ([], []), {"email": ([], [])})
    plot.render({"choreography": empty}, "live: press start")
    for ax in plot.figure.axes:
        assert ax.get_xlim() == (0.0, EMPTY_SPAN)  # not matplotlib's -0.04…0.04
        assert ax.get_ylim() == (0.0, 1.0)
    one_instant = Curves(([5.0], [0]), ([5.0], [0]), {"email": ([5.0], [0])})
    plot.render({"choreography": one_instant}, "live")
    left, right = plot.figure.axes[0].get_xlim()
    assert left <= 5.0 < left + 1 and right - left == pytest.approx(EMPTY_SPAN)


def test_the_replay_picture_stays_hidden_until_a_replay_drew_it():
    from playground.live import registry
    from playground.live.presets import panel_for

    panel = panel_for("playground", orders=20)
    try:
        assert panel.replay_plot.layout.display == "none" and bytes(panel.replay_plot.value) == b""
        assert bytes(panel.plot.value).startswith(b"\x89PNG")  # the live picture is drawn from the start
        panel.replay()
        assert panel.replay_plot.layout.display is None and bytes(panel.replay_plot.value).startswith(b"\x89PNG")
    finally:
        registry.shutdown_all()


def _pixels(png_bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGBA")).astype(int)


def test_a_layered_frame_is_the_full_drawing_and_only_a_moved_axis_redraws_the_background():
    from playground.live.plot import LivePlot

    runs = {seed: {"choreography": curves_from_result(order_flow(orders=30, seed=seed, decline_rate=0.2).run())}
            for seed in (1, 2)}
    plot = LivePlot(size=(8.0, 4.6))
    for seed, title in [(1, "first"), (2, "other axes"), (2, "other axes"), (1, "first again")]:
        frame = plot.render(runs[seed], title)
        full = png(plot.figure)  # savefig paints every artist, the lines and the legends included
        difference = abs(_pixels(frame) - _pixels(full))
        assert difference.max() <= 1 and (difference > 0).mean() < 0.01, title
    background = plot._layers._under
    plot.render(runs[1], "first again")
    assert plot._layers._under is background  # same axes, same title: only the lines were drawn
    plot.render(runs[2], "first again")
    assert plot._layers._under is not background
