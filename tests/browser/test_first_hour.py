"""The first hour in a real browser: a chapter's metadata survives opening, and chapter 08's panel does what its hint says.

Uses the same JupyterLab set-up as ``test_jupyterlab.py`` (system Chromium, temporary Jupyter folders, a
*copy* of the notebook). JupyterLab fills the kernel's ``language_info`` into a notebook when it opens;
the notebooks store exactly what the python3 kernel reports, so nothing changes (on a machine with the
same Python version — the version is part of it). JupyterLab 4.6 still marks a chapter modified on open,
for two transient reasons asserted here: each code cell's ``trusted`` flag and the drawing it caches
beside each Mermaid diagram; saving the chapter then leaves the file as it was.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from playground.workspace import SAVE_HOOK

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("browser_setup", Path(__file__).with_name("test_jupyterlab.py"))
setup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(setup)
CHAPTER = ROOT / "course" / "08_resilience_through_decoupling.ipynb"
# A Mermaid diagram: opening it is what makes JupyterLab change a chapter (it caches the drawing).
DIAGRAMS = ROOT / "course" / "00_two_ways_to_dance.ipynb"


@pytest.fixture
def chapter_08(tmp_path):
    """JupyterLab serving a copy of chapter 08; yields its URL."""
    if not setup.CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {setup.CHROMIUM}: install it with "
                    "`apt-get install -y --no-install-recommends chromium fonts-liberation` (or set PLAYGROUND_CHROMIUM).")
    root = tmp_path / "work"
    root.mkdir()
    for chapter in (CHAPTER, DIAGRAMS):
        shutil.copy(chapter, root / chapter.name)
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    setup._settings(home / "settings")
    port, token = setup._free_port(), secrets.token_hex(16)
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.port={port}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", SAVE_HOOK],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "server.log").read_text()[-2000:])
                time.sleep(0.2)
        yield f"{url}/lab/tree/{CHAPTER.name}?reset&token={token}", root
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _opening_then_saving_changes_nothing(page, root):
    """What JupyterLab changes in a chapter on open is transient, and saving it leaves the file as it was.

    Opening marks a chapter modified for two reasons: each code cell gets a transient ``trusted`` flag
    (nbformat drops it on save), and each Mermaid diagram gets the drawing JupyterLab caches beside it
    (``playground course`` passes a pre-save hook that drops it, ``playground.workspace.SAVE_HOOK``).
    """
    from playwright.sync_api import expect

    page.goto(page.url.replace(CHAPTER.name, DIAGRAMS.name))
    expect(page.locator(".jp-RenderedMermaid img[src^='data:image/svg+xml']").first).to_be_attached()
    page.wait_for_timeout(1000)
    before = (root / DIAGRAMS.name).read_text()
    opened = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.toJSON()")
    stored = json.loads(before)
    for mine, theirs in zip(stored["cells"], opened["cells"]):
        extra = {k: v for k, v in theirs.get("metadata", {}).items() if k not in mine.get("metadata", {})}
        assert set(extra) <= {"trusted"}, extra
        for out, seen in zip(mine.get("outputs", []), theirs.get("outputs", [])):
            added = set(seen.get("data", {})) - set(out.get("data", {}))
            assert added <= ({"image/svg+xml"} if "text/vnd.mermaid" in out.get("data", {}) else set()), added
    # Started, not awaited: a save whose promise never settles (a dialog waiting for an answer) must fail
    # below within the page's timeout instead of holding the test forever.
    page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    saved = json.loads((root / DIAGRAMS.name).read_text())
    for notebook in (saved, stored):  # the kernel's language_info is compared above, version and all
        notebook["metadata"].pop("language_info")
    assert saved == stored, "saving an opened chapter changed it"


def test_chapter_08_opens_with_the_kernels_language_info_and_its_panel_replays_its_outage(chapter_08):
    from playwright.sync_api import expect, sync_playwright

    url, root = chapter_08
    stored = json.loads(CHAPTER.read_text())["metadata"]["language_info"]
    same_python = stored.get("version") == platform.python_version()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(setup.CHROMIUM), headless=True,
                                    args=["--disable-dev-shm-usage", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.set_default_timeout(setup.TIMEOUT_MS)
            expect.set_options(timeout=setup.TIMEOUT_MS)
            page.goto(url)
            expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))).to_be_visible()
            page.wait_for_timeout(1000)  # the kernel's language_info has arrived and been filled in by now
            opened = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.toJSON().metadata")
            # What the kernel filled in is what the file stores (on a machine with the same Python version).
            assert (opened["language_info"] == stored) is same_python, (opened["language_info"], stored)
            assert opened["kernelspec"] == json.loads(CHAPTER.read_text())["metadata"]["kernelspec"]
            _opening_then_saving_changes_nothing(page, root)
            page.goto(url)
            expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))).to_be_visible()

            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            panel = page.locator(".jupyter-widgets.pg-panel")
            expect(panel).to_be_visible()
            expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))).to_be_visible()
            panel.scroll_into_view_if_needed()
            # No broken-image icon before replay: every picture in the panel is drawn, or hidden.
            broken = panel.evaluate("p => [...p.querySelectorAll('img')].filter(i => i.offsetParent !== null "
                                    "&& !(i.complete && i.naturalWidth > 0)).length")
            assert broken == 0
            panel.get_by_role("button", name=re.compile("replay")).click()
            summary = panel.locator(".pg-replay-summary")
            expect(summary).to_contain_text("orchestration: 300 orders:", timeout=180_000)
            text = summary.inner_text()
            cancelled = int(re.search(r"orchestration: 300 orders: \d+ completed, (\d+) cancelled", text).group(1))
            assert cancelled > 0 and "choreography: 300 orders: 300 completed, 0 cancelled" in text
            replayed = panel.locator("img").last
            expect(replayed).to_be_visible()
            assert replayed.evaluate("i => i.complete && i.naturalWidth > 0")
            setup.ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(setup.ARTIFACTS / "chapter-08-panel.png"))
        finally:
            browser.close()
