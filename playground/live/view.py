"""What the panel shows as text: the counters table and its messages, as small HTML fragments.

Kept apart from the widgets so the text can be tested without a browser and
stays identical wherever it is shown.

>>> print(counters_table({"choreography": {"in flight": 2, "completed": 5, "cancelled": 0,
...                                        "anomalies": 0, "dead letters": 0}}, {"choreography": 12.5}))
<table class="pg-counters-table"><tr><th></th><th>choreography</th></tr><tr><td>orders in flight</td><td>2</td></tr><tr><td>orders completed</td><td>5</td></tr><tr><td>orders cancelled</td><td>0</td></tr><tr><td>orders with an anomaly</td><td>0</td></tr><tr><td>messages dead-lettered</td><td>0</td></tr><tr><td>simulated time (s)</td><td>12.5</td></tr></table>
"""

from __future__ import annotations

from html import escape
from typing import Mapping

from playground.live.tally import COUNTERS, LABELS

#: Message colours: Okabe-Ito vermillion for refusals, bluish green for news.
TONES = {"error": "#D55E00", "info": "#009E73", "plain": "inherit"}


def counters_table(counts: Mapping[str, Mapping[str, int]], clock: Mapping[str, float]) -> str:
    """One column per wiring, one row per counter, and the simulated time each session has reached."""
    wirings = list(counts)
    head = "".join(f"<th>{escape(w)}</th>" for w in wirings)
    rows = [f"<tr><th></th>{head}</tr>"]
    for name in COUNTERS:
        cells = "".join(f"<td>{counts[w].get(name, 0):,}</td>" for w in wirings)
        rows.append(f"<tr><td>{escape(LABELS[name])}</td>{cells}</tr>")
    times = "".join(f"<td>{clock.get(w, 0.0):,.1f}</td>" for w in wirings)
    rows.append(f"<tr><td>simulated time (s)</td>{times}</tr>")
    return f'<table class="pg-counters-table">{"".join(rows)}</table>'


def message(text: str, tone: str = "plain") -> str:
    """A one-line message; refusals start with a capital and stand out in colour.

    >>> message("the order rate must be a number greater than 0, not -2.", "error")
    '<span class="pg-message-error" style="color: #D55E00">The order rate must be a number greater than 0, not -2.</span>'
    """
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return f'<span class="pg-message-{tone}" style="color: {TONES[tone]}">{escape(text)}</span>'


def replay_text(summary: str, crashes: Mapping[str, list[tuple[float, float]]]) -> str:
    """The replay's summary lines, with the crash windows it replayed."""
    lines = summary.splitlines()
    if crashes:
        windows = "; ".join(f"{name} {a:.1f}–{b:.1f} s" for name, ws in crashes.items() for a, b in ws)
        lines.append(f"crashes replayed: {windows}")
    return "<pre class=\"pg-replay-summary\">" + escape("\n".join(lines)) + "</pre>"
