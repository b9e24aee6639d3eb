"""Notebooks store the language_info the python3 kernel reports, so JupyterLab does not mark them modified on open.

JupyterLab writes the kernel's ``language_info`` into a notebook as soon as the
kernel answers, and marks the notebook modified when that differs from what
was stored (closing then asks "Save changes?", saving makes a git diff). The
browser test (tests/browser/test_first_hour.py) watches this in JupyterLab.
"""

import json
import re
from pathlib import Path

import pytest
from ipykernel.ipkernel import IPythonKernel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("course", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))


def _stored(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["metadata"].get("language_info", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_language_info_is_what_the_kernel_reports(path):
    stored = _stored(path)
    kernel = dict(IPythonKernel.language_info)
    assert re.fullmatch(r"3\.\d+\.\d+", stored.get("version", "")), f"{path.name}: no Python version in {stored}"
    # Everything but the patch-level version is the same for every Python 3 the course supports.
    assert {**stored, "version": kernel["version"]} == kernel, f"{path.name} stores {stored}"


def test_every_notebook_stores_the_same_language_info():
    infos = {json.dumps(_stored(p), sort_keys=True) for p in NOTEBOOKS}
    assert len(infos) == 1, infos
