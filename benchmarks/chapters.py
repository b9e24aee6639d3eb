"""Benchmark: each chapter's notebook executed as CI executes it, in CPU seconds.

Run with ``python benchmarks/chapters.py [NN ...]``. Each chapter (course/00 … 15, or the numbers given) is
executed once in a fresh kernel, as ``.ci/execute_notebook.py`` and nbval do but without writing the notebook
back, one chapter at a time. For each one it prints

* **kernel CPU**: user + system seconds of the kernel process, from its start to its shut-down;
* **beyond the floor**: the same less the kernel CPU of a notebook of one empty cell (starting a kernel),
  measured first in the same run;
* **executor CPU**: this process's seconds sending cells and collecting outputs (nbval's side, in CI);
* **wall**: seconds from start to end, which on a shared machine is mostly waiting for a core;

and one goal per chapter, printed with met or MISSED: its CPU beyond the floor at most 10 s, so the notebook
suite grows by about ten seconds a chapter. The load average is printed before and after, since wall times
depend on it; CPU times barely do.

``--quick`` executes chapter 02 only (the cheapest), after the floor: it checks the script runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import time
from pathlib import Path

import nbformat
from _goals import goal, load_average
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
GOAL_SECONDS = 10.0
CHAPTER = re.compile(r"^(\d\d)_.+\.ipynb$")
QUICK = "02"  # the chapter a quick run executes: the cheapest


def chapters(numbers: list[str] | None = None) -> list[Path]:
    """The chapters 00–15 of the course in order, or only those numbered."""
    found = sorted(p for p in COURSE.glob("*.ipynb") if CHAPTER.match(p.name) and int(p.name[:2]) <= 15)
    if numbers:
        found = [p for p in found if p.name[:2] in {n.zfill(2) for n in numbers}]
        if not found:
            raise SystemExit(f"no chapter numbered {', '.join(numbers)} in course/: give numbers 00 to 15.")
    return found


def execute(path: Path | None) -> tuple[float, float, float]:
    """The kernel's CPU, the executor's CPU and the wall seconds to execute one notebook (None: one empty cell).

    The kernel is a child process, reaped when it shuts down, so its CPU is the change in the children's usage.
    """
    if path is None:
        nb, folder = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")]), ROOT
    else:
        nb, folder = nbformat.read(path, as_version=4), path.parent
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    before, own, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time(), time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        raise SystemExit(f"{path.name if path else 'the empty notebook'} failed to execute:\n{str(exc)[-3000:]}") from None
    wall, own = time.perf_counter() - wall, time.process_time() - own
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), own, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="chapter numbers to execute (default: 00 to 15)")
    parser.add_argument("--quick", action="store_true", help=f"chapter {QUICK} only: checks the script runs")
    args = parser.parse_args()
    # The kernels import this checkout's playground (and inherit the progress switch _goals sets).
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    todo = chapters([QUICK] if args.quick else args.numbers)
    print(f"each chapter executed once in a fresh kernel, one at a time; {load_average()}")
    floor, floor_own, floor_wall = execute(None)
    print(f"  {'floor (one empty cell)':<42} kernel CPU {floor:6.2f} s  {'':25}  executor CPU {floor_own:5.2f} s"
          f"  wall {floor_wall:6.2f} s")
    results = {}
    for path in todo:
        cpu, own, wall = execute(path)
        results[path] = cpu
        print(f"  {path.stem:<42} kernel CPU {cpu:6.2f} s  beyond the floor {cpu - floor:6.2f} s  executor CPU "
              f"{own:5.2f} s  wall {wall:6.2f} s")
    print(f"after: {load_average()}")
    for path, cpu in results.items():
        goal(f"chapter {path.name[:2]} CPU beyond the floor", cpu - floor, GOAL_SECONDS, " s")


if __name__ == "__main__":
    main()
