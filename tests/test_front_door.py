"""The front door: every public name resolves, and notebooks import nothing from deeper in the package."""

import ast
import json
import re
from pathlib import Path

import pytest

import playground

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("course", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))
DEEP = re.compile(r"^\s*(?:from playground\.[\w.]+ import|import playground\.)", re.M)


@pytest.mark.parametrize("name", playground.__all__)
def test_every_public_name_resolves(name):
    assert getattr(playground, name) is not None


def test_each_name_is_listed_once_in_one_group():
    listed = [name for group in playground.GROUPS.values() for name in group]
    assert len(listed) == len(set(listed)) == len(playground.__all__)


def test_an_unknown_name_says_where_to_look():
    with pytest.raises(AttributeError, match=r"no public name 'order_flo'.*playground.__all__"):
        playground.order_flo  # noqa: B018


def test_help_lists_every_name_by_purpose():
    for purpose, names in playground.GROUPS.items():
        assert purpose in playground.__doc__
        assert all(name in playground.__doc__ for name in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_import_only_from_the_front_door(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    deep = DEEP.findall(code)
    assert not deep, f"{path.name} imports past the front door: {deep}; use `from playground import ...`"


def _imports_the_front_door(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.ImportFrom) and node.module == "playground" for node in ast.walk(tree))


def test_the_package_itself_never_imports_from_its_front_door():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "playground").rglob("*.py")
                 if p.name != "__init__.py" or p.parent.name != "playground"
                 if _imports_the_front_door(p)]
    assert not offenders, f"import the defining module instead of the front door in: {offenders}"
