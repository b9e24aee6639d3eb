import pytest

from playground.grading.markers import MarkerError, check_cell, clear_hidden_tests, clear_solutions


def _meta(**flags):
    meta = {"schema_version": 3, "grade": False, "solution": False, "locked": False, "grade_id": "x"}
    meta.update(flags)
    return {"nbgrader": meta}


def test_each_solution_region_becomes_a_stub_at_its_own_indentation():
    source = "\n".join([
        "class A:",
        "    def f(self):",
        "        # TODO: return one.",
        "        ### BEGIN SOLUTION",
        "        return 1",
        "        ### END SOLUTION",
        "",
        "# TODO: build B.",
        "### BEGIN SOLUTION",
        "B = A()",
        "### END SOLUTION",
        "print(B)",
    ])
    assert clear_solutions(source).split("\n") == [
        "class A:", "    def f(self):", "        # TODO: return one.", "        raise NotImplementedError()",
        "", "# TODO: build B.", "raise NotImplementedError()", "print(B)"]


def test_hidden_tests_disappear_with_their_markers():
    source = "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 2\n### END HIDDEN TESTS\nprint('ok')"
    assert clear_hidden_tests(source) == "assert f(1) == 1\nprint('ok')"


@pytest.mark.parametrize("source, fragment", [
    ("### BEGIN SOLUTION\nx = 1", "never ends"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another one"),
    ("x = 1\n### END SOLUTION", "without a 'BEGIN SOLUTION' above it"),
])
def test_broken_regions_are_refused_with_one_sentence(source, fragment):
    with pytest.raises(MarkerError) as caught:
        clear_solutions(source, where="Cell 3 of demo.ipynb")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("Cell 3 of demo.ipynb")


@pytest.mark.parametrize("cell, fragment", [
    ({"source": "### BEGIN SOLUTION\nx\n### END SOLUTION", "metadata": {}}, "not marked as a solution cell"),
    ({"source": "### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS", "metadata": _meta(solution=True)},
     "not a graded cell"),
    ({"source": "", "metadata": _meta(grade=True)}, "graded cell without points"),
    ({"source": "", "metadata": _meta(locked=True, grade_id="")}, "has no grade_id"),
    ({"source": "", "metadata": {"nbgrader": {"grade": True, "solution": False, "locked": True}}},
     "lacks nbgrader metadata schema_version"),
    ({"source": "", "metadata": _meta(schema_version=2)}, "write schema 3"),
])
def test_metadata_that_nbgrader_would_refuse_is_refused_here(cell, fragment):
    with pytest.raises(MarkerError) as caught:
        check_cell(cell, where="Cell 1")
    assert fragment in str(caught.value)


def test_a_well_marked_graded_cell_passes():
    check_cell({"source": "assert True\n### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS",
                "metadata": _meta(grade=True, locked=True, points=2)}, where="Cell 1")
