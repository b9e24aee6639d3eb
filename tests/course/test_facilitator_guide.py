"""The facilitator guide and the glossary agree with the chapters: times, agendas, key figures, chapter pointers."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
GUIDE = COURSE / "facilitator_guide.md"
GLOSSARY = COURSE / "glossary.md"
CHAPTERS = {p.name[:2]: p for p in sorted(COURSE.glob("[0-9][0-9]_*.ipynb"))}
# "*Time: about 25 minutes" or "**Time:** about 40 minutes", in the cell with the learning goals.
STATED_TIME = re.compile(r"\bTime\W*about\s+(\d+)\s+minutes", re.I)
ROW = re.compile(r"^\|\s*(?P<start>[^|]*?)\s*\|\s*(?P<block>.*?)\s*\|\s*(?P<minutes>\d+)\s*\|\s*$")
CHAPTER_LINK = re.compile(r"\]\((\d\d)_[a-z0-9_]+\.ipynb\)")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _outputs(cell):
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        for kind in ("text/plain", "text/markdown", "text/html"):
            parts.append("".join(out.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def _squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


def stated_minutes(number):
    """The minutes a chapter states near its learning goals (in its first two markdown cells)."""
    markdown = ["".join(c["source"]) for c in _cells(CHAPTERS[number]) if c["cell_type"] == "markdown"][:2]
    found = STATED_TIME.search("\n".join(markdown))
    assert found, f"chapter {number} ({CHAPTERS[number].name}) states no time near its learning goals"
    return int(found.group(1))


def sections(text, level):
    """{heading: body} for the headings of one level."""
    marker = "#" * level + " "
    parts = re.split(rf"^{marker}(.+)$", text, flags=re.M)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2])}


def tables(body):
    """Each markdown table in a section as a list of (start, block, minutes) rows, in order."""
    found, current = [], []
    for line in body.splitlines():
        row = ROW.match(line)
        if row:
            current.append((row["start"], row["block"], int(row["minutes"])))
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def agendas():
    guide = GUIDE.read_text(encoding="utf-8")
    return {heading: body for heading, body in sections(guide, 2).items() if heading.endswith("agenda")}


def test_the_guide_has_a_one_day_and_a_two_day_agenda():
    assert set(agendas()) == {"One-day agenda", "Two-day agenda"}


@pytest.mark.parametrize("agenda", ["One-day agenda", "Two-day agenda"])
def test_every_chapter_is_in_the_agenda_with_the_time_it_states(agenda):
    rows = [row for table in tables(agendas()[agenda]) for row in table]
    listed = {}
    for _, block, minutes in rows:
        for number in CHAPTER_LINK.findall(block):
            assert number not in listed, f"the {agenda} lists chapter {number} twice"
            listed[number] = minutes
    missing = sorted(set(CHAPTERS) - set(listed))
    assert not missing, f"the {agenda} leaves out chapter(s) {', '.join(missing)}; give each a row"
    unknown = sorted(set(listed) - set(CHAPTERS))
    assert not unknown, f"the {agenda} lists chapter(s) {', '.join(unknown)}, which course/ does not have"
    for number, minutes in sorted(listed.items()):
        stated = stated_minutes(number)
        assert minutes == stated, (
            f"chapter {number} ({CHAPTERS[number].name}) states about {stated} minutes, but the {agenda} gives it "
            f"{minutes}; change the agenda (and the times after it) or the chapter"
        )
    assert sum(listed.values()) == sum(stated_minutes(n) for n in CHAPTERS)


def test_the_total_the_guide_states_is_the_chapters_total():
    total = sum(stated_minutes(n) for n in CHAPTERS)
    said = re.search(r"Total time stated by the chapters: \*\*(\d+) minutes\*\*", GUIDE.read_text(encoding="utf-8"))
    assert said, "the guide should state the chapters' total time as 'Total time stated by the chapters: **N minutes**'"
    assert int(said.group(1)) == total, f"the chapters state {total} minutes in all, the guide says {said.group(1)}"


@pytest.mark.parametrize("agenda", ["One-day agenda", "Two-day agenda"])
def test_agenda_clock_times_add_up(agenda):
    for table in tables(agendas()[agenda]):
        clock = None
        for start, block, minutes in table:
            if not re.fullmatch(r"\d\d:\d\d", start):
                continue
            hours, mins = map(int, start.split(":"))
            now = hours * 60 + mins
            if clock is not None:
                assert now == clock, (
                    f"in the {agenda}, '{block}' starts at {start}, but the row before it ends at "
                    f"{clock // 60:02d}:{clock % 60:02d}"
                )
            clock = now + minutes


def key_figures():
    """(chapter, code snippet, quoted output) for every key figure the guide quotes."""
    guide = GUIDE.read_text(encoding="utf-8")
    chapters = sections(sections(guide, 2)["Chapter by chapter"], 3)
    figures = []
    for heading, body in chapters.items():
        number = heading[:2]
        for line in body.splitlines():
            if "**Key figure**" in line:
                quoted = re.findall(r"`([^`]+)`", line)
                assert len(quoted) >= 2, f"the key figure of chapter {number} needs `cell code` and `output`"
                figures.append((number, quoted[0], quoted[1]))
    return figures


def test_every_chapter_has_a_key_figure_a_prompt_and_what_goes_wrong():
    guide = GUIDE.read_text(encoding="utf-8")
    chapters = sections(sections(guide, 2)["Chapter by chapter"], 3)
    numbers = {heading[:2] for heading in chapters}
    assert numbers == set(CHAPTERS), f"chapter sections {sorted(numbers)} differ from course/ {sorted(CHAPTERS)}"
    for heading, body in chapters.items():
        for part in ("**Key figure**", "**Discussion prompt.**", "**What usually goes wrong.**"):
            assert part in body, f"the guide's section '{heading}' has no {part}"


@pytest.mark.parametrize("figure", key_figures(), ids=lambda f: f"chapter {f[0]}")
def test_key_figure_is_in_the_stored_output_of_its_cell(figure):
    number, code, quoted = figure
    assert number in CHAPTERS, f"the guide quotes a figure of chapter {number}, which course/ does not have"
    cells = [c for c in _cells(CHAPTERS[number]) if c["cell_type"] == "code" and code in "".join(c["source"])]
    assert cells, f"chapter {number} has no code cell containing `{code}`, where the guide says its key figure comes from"
    outputs = " ".join(_squeeze(_outputs(c)) for c in cells)
    assert _squeeze(quoted) in outputs, (
        f"the guide quotes `{quoted}` as chapter {number}'s key figure, but the cell with `{code}` prints "
        f"something else: {outputs[:300]!r}; quote what the chapter computes"
    )


TERMS = [
    "Saga", "Compensation", "Pivot transaction", "Retriable step", "Semantic lock", "Correlation id", "Causation id",
    "Idempotency key", "Dead letter", "At-least-once", "At-most-once", "Effectively-once", "Consumer group",
    "Partition and key", "Offset", "Event-carried state transfer", "Schema compatibility modes", "Orchestrator",
    "Choreography", "Outbox",
]


def test_glossary_defines_every_term_and_says_where_to_see_it():
    entries = sections(GLOSSARY.read_text(encoding="utf-8"), 3)
    missing = [term for term in TERMS if term not in entries]
    assert not missing, f"the glossary has no entry for {', '.join(missing)}"
    for term, body in entries.items():
        assert "*Where:*" in body, f"the glossary entry '{term}' should say where to see it ('*Where:* see chapter NN')"


def test_glossary_points_only_to_chapters_that_exist():
    text = GLOSSARY.read_text(encoding="utf-8")
    pointers = re.findall(r"\bchapters? (\d\d)\b", text, re.I)
    assert pointers, "the glossary should point its terms to chapters as 'see chapter NN'"
    for number in pointers:
        assert number in CHAPTERS, f"the glossary mentions chapter {number}, but course/ has no chapter {number}"


def test_links_of_the_guide_glossary_and_reading_list_resolve():
    for path in (GUIDE, GLOSSARY, COURSE / "further_reading.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"
