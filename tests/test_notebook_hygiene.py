"""Every committed notebook is clean: python3 kernel, no errors, no warnings, no machine paths, chapter structure."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("course", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))
CHAPTERS = sorted((ROOT / "course").glob("*.ipynb"))
LEAKS = re.compile(r"/(?:tmp|root|work|home|Users)/|0x[0-9a-f]{6,}")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), "name notebooks NN_topic.ipynb"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    for cell in nb["cells"]:
        assert "execution" not in cell.get("metadata", {}), "timing metadata left in a cell"
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"stored error output in {path.name}"
            text = "".join(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not (out.get("name") == "stderr" and "Warning" in text), f"stored warning in {path.name}: {text[:200]}"
            assert not LEAKS.search(text), f"machine path or address in {path.name}: {LEAKS.search(text).group()}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_opens_with_goals_and_ends_with_summary_and_exercises(path):
    markdown = ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown"]
    assert markdown, "a chapter needs prose"
    assert re.search(r"learning goals|you will", markdown[0] + (markdown[1] if len(markdown) > 1 else ""), re.I)
    headings = "\n".join(markdown)
    assert re.search(r"^#+ Summary", headings, re.M), "end with a Summary section"
    assert re.search(r"^#+ Exercises", headings, re.M), "end with an Exercises section"


def test_no_helper_is_defined_in_more_than_one_notebook():
    owners = {}
    for path in NOTEBOOKS:
        for cell in _cells(path):
            if cell["cell_type"] != "code":
                continue
            for name in re.findall(r"^def (\w+)", "".join(cell["source"]), re.M):
                owners.setdefault(name, set()).add(path.parent.name + "/" + path.name)
    # exercises/solutions pairs share function names by design; chapters must not.
    repeated = {n: ps for n, ps in owners.items()
                if len({p for p in ps if p.startswith("course/")}) > 1}
    assert not repeated, f"define these once in playground/: {repeated}"
