"""Where a learner works: ``playground course`` opens JupyterLab at the repository (as root too) and makes workspace/."""

import json
import os
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

from playground import workspace
from playground.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _course_copy(folder: Path) -> Path:
    """A small repository: one chapter, two exercises."""
    (folder / "course").mkdir(parents=True)
    (folder / "exercises").mkdir()
    shutil.copy(ROOT / "course" / "00_two_ways_to_dance.ipynb", folder / "course")
    for name in ("07_loyalty_points.ipynb", "08_idempotent_email.ipynb"):
        shutil.copy(ROOT / "exercises" / name, folder / "exercises")
    return folder


def test_the_workspace_is_filled_once_and_never_overwritten(tmp_path, monkeypatch, capsys):
    repo = _course_copy(tmp_path)
    monkeypatch.chdir(repo)
    assert main(["workspace"]) == 0
    assert capsys.readouterr().out == ("workspace/07_loyalty_points.ipynb: copied from exercises/\n"
                                       "workspace/08_idempotent_email.ipynb: copied from exercises/\n")
    mine = repo / "workspace" / "07_loyalty_points.ipynb"
    mine.write_text("my work")
    shutil.copy(ROOT / "exercises" / "03_invoice_incident.ipynb", repo / "exercises")  # a new exercise appears
    assert main(["workspace"]) == 0
    assert capsys.readouterr().out == "workspace/03_invoice_incident.ipynb: copied from exercises/\n"
    assert mine.read_text() == "my work"
    assert main(["workspace"]) == 0
    assert capsys.readouterr().out == "workspace/ already has every exercise; nothing was overwritten.\n"


def test_workspace_is_ignored_by_git_and_by_the_tests():
    assert "workspace/" in (ROOT / ".gitignore").read_text().splitlines()
    import tomllib

    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert "workspace" not in testpaths and "exercises" not in testpaths


@pytest.mark.parametrize(("euid", "allowed"), [(0, True), (1000, False)])
def test_allow_root_is_passed_only_to_root(monkeypatch, euid, allowed):
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    command = workspace.jupyterlab_command(Path("/repo"), ["--no-browser"])
    assert ("--allow-root" in command) is allowed
    assert command[-1] == "--no-browser"
    assert "--LabApp.default_url=/lab/tree/course" in command
    assert workspace.SAVE_HOOK in command  # saving an opened chapter leaves no diff (tests/browser)


def test_outside_a_repository_the_command_says_where_to_run_it(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace, "__file__", str(tmp_path / "site-packages" / "playground" / "workspace.py"))
    with pytest.raises(workspace.PlaygroundError, match="^No course here: run this from the folder you cloned"):
        workspace.repository(tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_course(repo: Path, home: Path, user: list[str]) -> dict:
    """Run ``playground course`` in ``repo`` (as ``user``), wait for JupyterLab, return what it serves."""
    port, token = _free_port(), secrets.token_hex(8)
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "PYTHONPATH": str(ROOT)}
    log = home / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*user, sys.executable, "-m", "playground.cli", "course", "--no-browser", f"--port={port}",
             "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"],
            cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                contents = json.loads(urllib.request.urlopen(f"{url}/api/contents?token={token}", timeout=2).read())
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.3)
        landing = urllib.request.urlopen(f"{url}/?token={token}", timeout=10)
        return {"root": sorted(item["name"] for item in contents["content"]), "landing": landing.url}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _users() -> list[tuple[str, list[str]]]:
    """Who the course command is tried as: this user, and an ordinary one too when the tests run as root.

    The ordinary user needs to be able to start this Python (a virtual environment made from an
    interpreter under /root is out of its reach); the test ids say which users ran.
    """
    users = [("root" if workspace.as_root() else "this user", [])]
    if workspace.as_root() and shutil.which("setpriv"):
        starts_python = "import subprocess, sys; subprocess.check_call([sys.executable, '-c', 'import jupyterlab'])"
        probe = subprocess.run([*NOBODY, sys.executable, "-c", starts_python], capture_output=True, cwd="/",
                               check=False)
        if probe.returncode == 0:
            users.append(("nobody", NOBODY))
    return users


@pytest.mark.parametrize(("who", "user"), _users(), ids=[who for who, _ in _users()])
def test_the_course_command_opens_jupyterlab_at_the_repository(tmp_path, who, user):
    repo = _course_copy(tmp_path / "clone")
    home = tmp_path / "home"
    home.mkdir()
    if user:
        shutil.chown(tmp_path, 65534, 65534)
        for path in [tmp_path, *tmp_path.rglob("*")]:
            shutil.chown(path, 65534, 65534)
    served = _serve_course(repo, home, user)
    assert served["root"] == ["course", "exercises", "workspace"]  # chapters, starters and the learner's copies
    assert served["landing"].split("?")[0].endswith("/lab/tree/course")
    assert sorted(p.name for p in (repo / "workspace").iterdir()) == ["07_loyalty_points.ipynb",
                                                                      "08_idempotent_email.ipynb"]
