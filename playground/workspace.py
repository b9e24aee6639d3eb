"""Where a learner works: the course opened in JupyterLab, and a workspace/ folder for the exercises.

``playground course`` opens JupyterLab at the repository (so ``course/``,
``workspace/`` and ``exercises/`` are all one click away) with the chapters
listed, passing ``--allow-root`` only when it runs as root (containers and
cloud machines often do, and JupyterLab refuses root without it). The first
time, it copies every starter from ``exercises/`` into ``workspace/``: the
learner fills in those copies, which git ignores and no test ever judges,
while ``exercises/`` stays exactly what ``playground exercises build``
generates. ``playground workspace`` copies starters that are new since then;
it never overwrites a learner's file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from playground.errors import PlaygroundError

WORKSPACE = "workspace"
#: What JupyterLab shows first: the chapters, in the file browser.
FIRST_PAGE = "/lab/tree/course"
#: The Jupyter server option ``playground course`` passes so that saving a chapter leaves no diff.
SAVE_HOOK = "--ContentsManager.pre_save_hook=playground.workspace.strip_rendered_mermaid"
MERMAID, SVG = "text/vnd.mermaid", "image/svg+xml"


def repository(start: Path | None = None) -> Path:
    """The folder holding ``course/`` and ``exercises/``: the current one, one above it, or the package's checkout."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents[:1], Path(__file__).resolve().parents[1]):
        if (folder / "course").is_dir() and (folder / "exercises").is_dir():
            return folder
    raise PlaygroundError("No course here: run this from the folder you cloned (the one holding course/ and "
                          "exercises/), or install the package from it with pip install -e .")


def fill_workspace(root: Path) -> list[str]:
    """Copy each starter that ``workspace/`` lacks from ``exercises/``; returns the names copied."""
    target = root / WORKSPACE
    target.mkdir(exist_ok=True)
    copied = []
    for starter in sorted((root / "exercises").glob("*.ipynb")):
        mine = target / starter.name
        if not mine.exists():
            shutil.copyfile(starter, mine)
            copied.append(starter.name)
    return copied


def strip_rendered_mermaid(model: dict, **_: object) -> None:
    """Jupyter pre-save hook: drop the picture JupyterLab caches beside each Mermaid diagram it draws.

    JupyterLab 4 renders ``text/vnd.mermaid`` in the browser and stores the
    result in the output (an ``image/svg+xml`` copy and the Mermaid version in
    the output's metadata), so a chapter with a diagram is marked modified as
    soon as it is opened. The drawing depends on the browser's fonts, so it
    cannot be stored in advance; this hook takes it out again when the notebook
    is saved, so a saved chapter has no diff. The diagram's source stays.

    >>> out = {"output_type": "display_data", "metadata": {MERMAID: {"version": "11"}},
    ...        "data": {MERMAID: "graph LR; a-->b", SVG: "<svg/>", "text/plain": "a -> b"}}
    >>> model = {"type": "notebook", "content": {"cells": [{"cell_type": "code", "outputs": [out]}]}}
    >>> strip_rendered_mermaid(model)
    >>> out
    {'output_type': 'display_data', 'metadata': {}, 'data': {'text/vnd.mermaid': 'graph LR; a-->b', 'text/plain': 'a -> b'}}
    """
    if model.get("type") != "notebook":
        return
    for cell in model.get("content", {}).get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            if MERMAID in data:
                data.pop(SVG, None)
                (output.get("metadata") or {}).pop(MERMAID, None)


def as_root() -> bool:
    geteuid = getattr(os, "geteuid", None)  # absent on Windows, where there is no root
    return geteuid is not None and geteuid() == 0


def jupyterlab_command(root: Path, extra: list[str]) -> list[str]:
    """The JupyterLab command line ``playground course`` runs."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
               f"--LabApp.default_url={FIRST_PAGE}", SAVE_HOOK]
    if as_root():
        command.append("--allow-root")
    return command + extra


def _workspace(args: argparse.Namespace) -> int:
    root = repository()
    copied = fill_workspace(root)
    for name in copied:
        print(f"{WORKSPACE}/{name}: copied from exercises/")
    if not copied:
        print(f"{WORKSPACE}/ already has every exercise; nothing was overwritten.")
    return 0


def _course(args: argparse.Namespace) -> int:
    root = repository()
    copied = fill_workspace(root)
    if copied:
        print(f"Exercises copied to {WORKSPACE}/ — work there; git ignores it and no test judges it.")
    command = jupyterlab_command(root, args.extra)
    if args.dry_run:
        print(" ".join(command[1:]))
        return 0
    try:
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0  # JupyterLab handles Ctrl-C itself and has shut down


def add_workspace_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``course`` and ``workspace`` to the ``playground`` command."""
    course = sub.add_parser(
        "course", help="open the course in JupyterLab (and make your workspace/ the first time)",
        description="Open JupyterLab at the repository with the chapters listed. Options it does not know "
                    "go to JupyterLab, e.g. playground course --no-browser --port 8890.")
    course.add_argument("--dry-run", action="store_true", help="print the JupyterLab command instead of running it")
    course.set_defaults(handler=_course, extra=[])
    workspace = sub.add_parser("workspace", help="copy exercises that workspace/ lacks (never overwrites your work)")
    workspace.set_defaults(handler=_workspace)
