"""The reply-time histogram: the split at the timeout counts what the trace says."""

import pytest

from playground.analysis.waits import reply_times
from playground.errors import PlaygroundError
from playground.scenarios import invoice_incident
from playground.viz.reply_times import LATE, plot_reply_times


def test_bars_are_split_at_the_deadline_and_the_legend_counts_both_sides():
    result = invoice_incident(orders=120, seed=3).run()
    waits = list(reply_times(result, "ChargePayment").values())
    fig = plot_reply_times(result, "ChargePayment", deadline=5.0)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    late = sum(w > 5.0 for w in waits)
    assert labels == [f"reply within 5 s ({len(waits) - late})", f"reply after 5 s ({late})", "timeout 5 s"]
    late_bars = [p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx(tuple(int(LATE[i:i + 2], 16) / 255 for i in (1, 3, 5)))]
    assert sum(p.get_height() for p in late_bars) == late
    assert all(p.get_x() >= 5.0 for p in late_bars if p.get_height())
    assert ax.get_yscale() == "log" and "simulated s" in ax.get_xlabel()


def test_without_a_deadline_everything_is_one_colour_and_bad_bins_are_refused():
    result = invoice_incident(orders=30, seed=3).run()
    assert len(plot_reply_times(result, "ChargePayment").axes[0].get_legend().get_texts()) == 1
    with pytest.raises(PlaygroundError, match="bin_width must be"):
        plot_reply_times(result, "ChargePayment", bin_width=0)
