"""The executor that stores the course's outputs keeps them free of what changes from run to run."""

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _executor():
    spec = importlib.util.spec_from_file_location("execute_notebook", ROOT / ".ci" / "execute_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _widget_cell(cell_id, model_id):
    cell = nbformat.v4.new_code_cell("panel")
    cell.id = cell_id
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "LivePanel(...)",
        "application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2, "version_minor": 0}})]
    return cell


def test_a_widget_output_gets_the_same_model_id_at_every_run_and_a_different_one_per_cell():
    executor = _executor()
    path = Path("course/12_choosing_your_pattern.ipynb")
    ids = []
    for cell_id, fresh in (("a", "11" * 16), ("a", "22" * 16), ("b", "11" * 16)):
        cell = _widget_cell(cell_id, fresh)
        executor._stable_widget_ids(path, cell)
        ids.append(cell.outputs[0]["data"][executor.WIDGET_VIEW]["model_id"])
    assert ids[0] == ids[1] != ids[2] and len(ids[0]) == 32
