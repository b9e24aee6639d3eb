"""The scorecard picture: one cell per figure and wiring, showing its value; the article's claim beside it."""

import matplotlib

from playground.analysis.dimensions import Figure, Scorecard
from playground.viz.scorecard import plot_scorecard

matplotlib.use("Agg")


def test_every_cell_shows_its_figure_and_every_dimension_its_verdict():
    card = Scorecard("demo", 1, [
        Figure("control & visibility", "records read", {"orchestration": 1.0, "choreography": 7.5}, "lower"),
        Figure("evolution & change", "teams", {"orchestration": 2.0, "choreography": 1.0}, "lower"),
        Figure("evolution & change", "context", {"orchestration": 4.0, "choreography": 4.0}, None, "s"),
    ])
    fig = plot_scorecard(card)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"1", "7.50", "2", "4 s"} <= set(texts)
    assert any("measured: orchestration (agrees)" in t for t in texts)
    assert any("article: choreography\nmeasured: choreography (agrees)" in t for t in texts)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["records read", "teams", "context"]
    matplotlib.pyplot.close(fig)


def test_a_scorecard_with_notes_shows_them_under_the_picture():
    figure = Figure("control & visibility", "records read", {"orchestration": 1.0, "choreography": 7.5}, "lower")
    assert plot_scorecard(Scorecard("demo", 1, [figure])).texts == []
    fig = plot_scorecard(Scorecard("demo", 1, [figure], notes=["runs under faults took orders=40"]))
    assert [t.get_text() for t in fig.texts] == ["note: runs under faults took orders=40"]
    matplotlib.pyplot.close(fig)
