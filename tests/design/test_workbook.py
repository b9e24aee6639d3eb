import json

from playground.design.spec import load_spec
from playground.design.workbook import Workbook, workbook


def test_the_form_edits_the_spec_and_recommends_again(specs):
    book = workbook(specs["checkout"])
    assert book.recommendation.overall == "hybrid"
    deadline = next(w for row in book.children if hasattr(row, "children") for w in row.children
                    if getattr(w, "description", "") == "deadline s")
    assert deadline.value == "5"
    # Dropping the checkout's deadline and all-or-nothing through the widgets: refused halfway, then accepted.
    deadline.value = ""
    assert book.problem.startswith("The spec's interactions[0].deadline is missing")
    for row in book.children:
        for box in getattr(row, "children", ()):
            if getattr(box, "description", "") in ("all-or-nothing", "deadline") and box.value:
                box.value = False
    assert book.problem is None
    assert book.spec.entry.guarantees == ("audit",) and book.spec.entry.deadline is None
    assert "checkout: choreograph" in book.answer.value


def test_a_refused_value_shows_its_sentence_and_keeps_the_last_good_spec(specs):
    book = Workbook(specs["checkout"])
    before = book.spec
    book.set("interactions[0].steps[2].capability", "bank")
    assert book.spec is before
    assert book.problem.startswith("The spec's interactions[0].steps[2].capability is 'bank'")
    assert "The last good spec stays in force." in book.message.value
    book.set("interactions[9].deadline", 3)
    assert book.problem == "The spec has no field 'interactions[9].deadline'; use a path such as 'interactions[0].deadline'."
    book.set("interactions[0].steps[2].undo", "refund the card")
    assert book.problem.startswith("The spec's interactions[0].steps[2].capability")  # still what was typed
    book.set("interactions[0].steps[2].capability", "payments")
    assert book.problem is None and book.spec.entry.steps[2].undo == "refund the card"


def test_save_writes_a_file_load_spec_reads(tmp_path, specs):
    book = Workbook(specs["loan"]).set("capabilities[2].latency", 1800)
    book.save(tmp_path / "loan.json")
    again = load_spec(tmp_path / "loan.json")
    assert again == book.spec and again.capability("underwriting").latency == 1800
    assert json.loads((tmp_path / "loan.json").read_text())["name"] == "loan"


def test_its_text_does_not_depend_on_widgets_being_drawn(specs):
    assert repr(Workbook(specs["pipeline"])) == "Workbook('pipeline': 5 capabilities, 4 interactions, choreograph)"
