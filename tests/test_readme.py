"""README's set-up: two commands that work as written, and everything else they need said out loud."""

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SET_UP = README[README.index("## Set up"):README.index("## A first run")]


def test_set_up_has_exactly_two_commands_one_for_the_course_one_for_the_tests():
    commands = re.findall(r"^    (python3 -m venv .*)$", SET_UP, re.MULTILINE)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/playground course",
        'python3 -m venv .venv-test && .venv-test/bin/pip install -e ".[test]" && '
        '.venv-test/bin/python -m pytest -n auto --dist loadfile',
    ]
    # .ci/run runs the test command exactly as README gives it.
    extracted = subprocess.run(["sed", "-n", r"s/^    *//; /^python3 -m venv .venv-test/p", "README.md"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()[0]
    assert extracted == commands[1]
    assert "sed -n 's/^    *//; /^python3 -m venv .venv-test/p' README.md" in (ROOT / ".ci" / "run").read_text()


def test_what_pip_cannot_install_is_named_with_how_to_get_it():
    text = " ".join(SET_UP.split())
    assert "Nothing else" not in text
    assert "apt-get install -y --no-install-recommends chromium fonts-liberation" in text
    assert "`PLAYGROUND_CHROMIUM`" in text and "PLAYGROUND_CHROMIUM" in (ROOT / "tests/browser/test_jupyterlab.py").read_text()
    assert "it is never skipped" in text
    assert "`workspace/`" in text and "no test ever looks at it" in text


def test_the_browser_test_fails_loudly_without_chromium(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("browser_test", ROOT / "tests" / "browser" / "test_jupyterlab.py")
    browser_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(browser_test)
    monkeypatch.setattr(browser_test, "CHROMIUM", tmp_path / "no-chromium")
    start_server = browser_test.jupyterlab._get_wrapped_function()  # the fixture's own function
    with pytest.raises(pytest.fail.Exception) as failed:
        next(start_server(tmp_path))
    assert str(failed.value).startswith(f"Chromium is missing at {tmp_path / 'no-chromium'}: install it with "
                                        "`apt-get install -y --no-install-recommends chromium fonts-liberation`")
