"""The message-mix picture: one bar per run, the first run's types in grey, each added type in a colour."""

import pytest

from playground.errors import PlaygroundError
from playground.scenarios.spaghetti import event_spaghetti
from playground.viz.traffic import BASE, message_mix, plot_message_mix


def test_the_bars_add_up_to_the_messages_per_transaction_and_added_types_get_colours():
    runs = {"before": event_spaghetti(orders=4, seed=2, teams=0).run(),
            "after": event_spaghetti(orders=4, seed=2, teams=2).run()}
    assert sum(message_mix(runs["after"]).values()) == 20
    fig = plot_message_mix(runs, title="t")
    ax = fig.axes[0]
    base, *added = ax.containers
    assert [bar.get_width() for bar in base] == [8.0, 8.0]
    assert [c.get_label() for c in added] == ["DatabaseRowUpdated", "CustomerRecordChanged"]
    assert [round(sum(c[i].get_width() for c in ax.containers)) for i in (0, 1)] == [20, 8]  # bottom-up: after, before
    assert base.patches[0].get_facecolor()[:3] == pytest.approx(tuple(int(BASE[i:i + 2], 16) / 255 for i in (1, 3, 5)))
    assert [t.get_text().strip() for t in ax.texts] == ["20", "8"]


def test_no_runs_and_no_transactions_are_refused():
    with pytest.raises(PlaygroundError, match="needs at least one run"):
        plot_message_mix({})
    empty = event_spaghetti(orders=0, seed=2).run()
    with pytest.raises(PlaygroundError, match="no transactions to count"):
        message_mix(empty)
