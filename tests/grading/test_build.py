import json
from pathlib import Path

import nbformat
import pytest

from playground.grading.build import build, drift, starter
from playground.grading.markers import MarkerError

ROOT = Path(__file__).resolve().parents[2]


def test_committed_exercises_are_exactly_what_the_solutions_generate():
    assert drift(ROOT / "solutions", ROOT / "exercises") == [], "run: playground exercises build"


def test_every_solution_has_graded_cells_and_its_starter_keeps_them():
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        solution = nbformat.read(path, as_version=4)
        exercise = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
        graded = [c for c in solution.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert graded, f"{path.name} has no graded cells"
        assert [c.metadata for c in exercise.cells] == [c.metadata for c in solution.cells]
        assert [c.id for c in exercise.cells] == [c.id for c in solution.cells]


def test_starters_keep_no_solution_no_output_and_a_todo_above_every_stub():
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = json.dumps(nb)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        stubs = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            assert cell.outputs == [] and cell.execution_count is None
            lines = cell.source.split("\n")
            for number, line in enumerate(lines):
                if line.strip() == "raise NotImplementedError()":
                    stubs += 1
                    above = lines[number - 1].strip()
                    assert above.startswith("# TODO:") and len(above) > 20, f"{path.name}: a stub without a TODO"
        assert stubs >= 2, f"{path.name} leaves the learner nothing to write"


def _solution_notebook(*sources, solution=True):
    cells = [nbformat.v4.new_code_cell(s, metadata={"nbgrader": {
        "schema_version": 3, "grade": False, "solution": solution, "locked": not solution, "grade_id": f"c{i}"}})
        for i, s in enumerate(sources)]
    return nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def test_build_writes_new_starters_rewrites_stale_ones_and_removes_orphans(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    nb = _solution_notebook("# TODO: say hi.\n### BEGIN SOLUTION\nprint('hi')\n### END SOLUTION")
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nbformat.write(nb, solutions / "01_hello.ipynb")
    (exercises / "02_gone.ipynb").write_text("{}", encoding="utf-8")
    assert build(solutions, exercises) == ["01_hello.ipynb", "02_gone.ipynb"]
    assert sorted(p.name for p in exercises.iterdir()) == ["01_hello.ipynb"]
    assert nbformat.read(exercises / "01_hello.ipynb", as_version=4).cells[0].source == \
        "# TODO: say hi.\nraise NotImplementedError()"
    assert build(solutions, exercises) == [] and drift(solutions, exercises) == []
    (exercises / "01_hello.ipynb").write_text("edited by hand", encoding="utf-8")
    assert drift(solutions, exercises) == ["01_hello.ipynb"]


def test_a_solution_cell_without_a_region_becomes_a_whole_stub_as_in_nbgrader():
    nb = starter(_solution_notebook("answer = 42"))
    assert nb.cells[0].source == "raise NotImplementedError()"


def test_a_region_in_an_unmarked_cell_is_refused():
    with pytest.raises(MarkerError) as caught:
        starter(_solution_notebook("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", solution=False), name="demo.ipynb")
    assert str(caught.value).startswith("Cell 1 of demo.ipynb has a solution region")
