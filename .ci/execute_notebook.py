"""Execute notebooks in place the way CI will check them, and store clean outputs.

Usage: python .ci/execute_notebook.py course/00_two_ways_to_dance.ipynb [...]

Runs every cell in a fresh kernel from the notebook's own folder, keeps no
timing metadata, numbers cells from 1 and sets the kernelspec to python3, so
committed notebooks carry nothing personal from the machine that ran them. The
language_info is kept exactly as the kernel reported it: JupyterLab fills it in
when a notebook opens and marks the notebook modified when it differs (its
``version`` is the Python version of the machine that executed the notebook).
"""

import os
import sys
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# Progress bars depend on the machine's speed; stored outputs must not (the kernel inherits this).
os.environ["PLAYGROUND_PROGRESS"] = "0"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _joined_streams(outputs: list) -> list:
    """Consecutive writes to one stream as one output: how the kernel flushed them depends on the machine's load."""
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.get("output_type") == "stream" and last is not None and last.get("output_type") == "stream"
                and last.get("name") == output.get("name")):
            last["text"] += output["text"]
        else:
            joined.append(output)
    return joined


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _stable_widget_ids(path: Path, cell) -> None:
    """A widget output's model id from the notebook, cell and output, not the kernel's fresh uuid4.

    The id points at widget state the executor does not store, so no reader can look it up either way; a
    fresh one at every run only rewrote the notebook for nothing.
    """
    for index, output in enumerate(cell.outputs):
        view = output.get("data", {}).get(WIDGET_VIEW)
        if view and "model_id" in view:
            view["model_id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"{path.name}/{cell.get('id')}/{index}").hex


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    reported = nb.metadata.get("language_info") or {"name": "python"}
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": reported}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _joined_streams(cell.outputs)
            _stable_widget_ids(path, cell)
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(Path(arg))
