"""Winners, ties, splits and flips read from measured figures."""

from playground.analysis.dimensions import ARTICLE, DIMENSIONS, Figure, Scorecard, count, flips


def test_winners_ties_splits_and_flips():
    level = Figure("control & visibility", "a", {"orchestration": 1.0, "choreography": 1.02}, "lower")
    assert level.winner() == "tie"
    higher = Figure("scalability & resilience", "b", {"orchestration": 7.0, "choreography": 10.0}, "higher")
    assert higher.winner() == "choreography"
    assert Figure("evolution & change", "c", {"orchestration": 1, "choreography": 9}, None).winner() is None
    one = Scorecard("x", 0, [Figure("evolution & change", "a", {"orchestration": 1, "choreography": 2}, "lower"),
                             Figure("evolution & change", "b", {"orchestration": 3, "choreography": 2}, "lower")])
    other = Scorecard("x", 0, [Figure("evolution & change", "a", {"orchestration": 1, "choreography": 2}, "lower")])
    assert one.winners() == {"evolution & change": "split"}
    assert flips(one, other) == {"evolution & change": ("split", "orchestration")}
    assert "evolution & change" in str(one)
    assert other.verdicts() == [("evolution & change", "choreography", "orchestration", False)]


def test_the_article_has_a_claim_for_every_dimension_and_names_read_naturally():
    assert set(ARTICLE) == set(DIMENSIONS)
    assert (count(1, "fault"), count(3, "change")) == ("1 fault", "3 changes")
