from playground.analysis.dimensions import Scorecard
from playground.design.measure import Measurement
from playground.design.pictures import plot_guarantees, process_map


def test_the_map_shows_every_interaction_with_its_pattern_and_what_starts_it(specs):
    text = process_map(specs["loan"]).plain().splitlines()
    box = ("  application · orchestrate: register by applications → check_credit by bureau → decide by underwriting → "
           "open_account by accounts")
    assert text[1] == box and "  customers → application: command" in text
    assert sum(line.startswith("  regret · choreograph: ") for line in text) == 1
    assert sum(line.startswith("  ") and line.endswith(" → regret: cancelled") for line in text) == 1
    # each box is told once; an arrow names the interactions only
    assert sum(box.strip() in line for line in text) == 1
    assert all(" · " not in line for line in text if line.endswith((": command", ": completed", ": cancelled")))


def test_the_guarantee_table_colours_a_broken_cell_and_lists_what_broke(specs):
    found = Measurement(specs["ping"], 1, 5, card=None, suite={}, guarantees={
        "outage": {"orchestration": {"deadline": 0}, "choreography": {"deadline": 3}, "recommended": {"deadline": 0}},
        "crash": {"orchestration": {"deadline": 0}, "choreography": {"deadline": 0}, "recommended": {"deadline": 0}}})
    fig = plot_guarantees(found)
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert cells == ["all kept", "deadline: 3", "all kept", "all kept", "all kept", "all kept"]
    image = fig.axes[0].images[0].get_array()
    assert tuple(image[0][1]) != tuple(image[0][0]) and tuple(image[1][0]) == tuple(image[0][0])


def test_a_sampled_measurement_says_so_in_its_picture(specs):
    card = Scorecard("ping prototype", 1, [], {"runs": {"orchestration": None}}, notes=["a note"])
    found = Measurement(specs["ping"], 1, 30, card=card, suite={}, guarantees={
        "crash": {"orchestration": {"deadline": 0}, "choreography": {"deadline": 0}, "recommended": {"deadline": 0}}},
        sampled=12, recommended_as="choreography")
    fig = plot_guarantees(found)
    assert "(first 12 of 30 instances per run, seed 1)" in fig.axes[0].get_title()
    (notes,) = fig.texts
    assert notes.get_text().splitlines() == [f"note: {found.sample_note()}", f"note: {found.recommended_note()}"]
    assert "the first 12 of the 30 instances" in notes.get_text()
