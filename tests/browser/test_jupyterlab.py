"""One real browser: JupyterLab in Debian's Chromium runs a chapter, shows the panel and a Mermaid diagram.

Starts JupyterLab on a free loopback port with every Jupyter folder pointed
at a temporary one, opens a *copy* of a course notebook (autosave never
touches the repository), runs all cells, then checks what a learner sees:
the control panel rendered as widgets (not as "Error displaying widget" or
its text fallback), a press on **start** that changes a counter, and a
Mermaid diagram drawn as SVG. A screenshot is saved under ``build/browser/``
(ignored by git) for a person to look at.

Chromium comes from the system (``apt-get install chromium``), driven by the
``playwright`` package; nothing is downloaded. Without it this test fails and
says how to install it: a skipped browser test would hide a broken panel.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "course" / "00_two_ways_to_dance.ipynb"
CHROMIUM = Path(os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "build" / "browser"
TIMEOUT_MS = 45_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> None:
    """User settings: no news pop-up over the buttons, every cell kept in the page, no autosave.

    Autosave is off so that only the tests save: on a slow machine a notebook opened for more than two minutes
    was saved in the background while a test saved another one, and that test's save never answered.
    """
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a free loopback port serving a copy of the chapter; yields (url, notebook name)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it with "
                    "`apt-get install -y --no-install-recommends chromium fonts-liberation` (or set PLAYGROUND_CHROMIUM).")
    root = tmp_path / "work"
    root.mkdir()
    shutil.copy(CHAPTER, root / CHAPTER.name)
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    _settings(home / "settings")
    port, token = _free_port(), secrets.token_hex(16)
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--ServerApp.port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=log,
        start_new_session=True)  # its own process group, so the kernels it starts stop with it
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    said = (tmp_path / "server.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"JupyterLab did not start on port {port}:\n{said}")
                time.sleep(0.2)
        yield f"{url}/lab/tree/{CHAPTER.name}?reset&token={token}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_the_chapter_runs_in_a_real_browser_with_its_panel_and_a_mermaid_diagram(jupyterlab):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("The browser test needs the playwright package: pip install -e '.[test]'.")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--disable-dev-shm-usage", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)  # expect keeps its own 5 s default otherwise
            page.goto(jupyterlab)
            # The toolbar says idle while the kernel still starts; the status bar waits for the real thing.
            expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))).to_be_visible()
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")

            panel = page.locator(".jupyter-widgets.pg-panel")
            expect(panel).to_be_visible()
            expect(page.locator(".jp-RenderedMermaid img[src^='data:image/svg+xml']").first).to_be_attached()
            expect(page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle"))).to_be_visible()
            assert page.get_by_text("Error displaying widget").count() == 0
            assert page.locator(".jp-RenderedMermaid.jp-mod-warning").count() == 0
            assert panel.locator(".pg-plot img, img.pg-plot").count() >= 1

            completed = panel.locator(".pg-counters tr", has_text="completed").locator("td").nth(1)
            expect(completed).to_have_text("0")
            panel.scroll_into_view_if_needed()
            panel.get_by_role("button", name="start").click()
            expect(completed).not_to_have_text("0")
            panel.get_by_role("button", name="stop").click()
            expect(panel.locator(".pg-message")).to_contain_text("Stopped")
            panel.evaluate("element => element.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-panel.png"))
        finally:
            browser.close()
