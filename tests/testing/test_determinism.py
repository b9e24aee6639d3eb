"""Determinism as a property: a generated case run in two processes with different hash seeds, byte for byte;
and a derandomized search draws the same examples whatever else its process imported."""

import importlib
import json
import os
import subprocess
import sys
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

from playground.testing.strategies import budget, cases

RUN = """
import json, sys
from playground.testing.cases import Case
for row in json.loads(sys.stdin.read()):
    print(Case(**row).run().trace.digest())
"""


def digests(rows, hash_seed):
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run([sys.executable, "-c", RUN], input=json.dumps(rows), env=env, capture_output=True,
                          text=True, timeout=300, check=True)
    return done.stdout.split()


def as_json(case):
    row = asdict(case)
    row["faults"] = json.loads(json.dumps(row["faults"]))  # tuples → lists, the way a file would hold them
    return row


@given(batch=st.lists(cases(lossy=True), min_size=8, max_size=8))
@budget(0.005)
def test_any_generated_case_gives_the_same_trace_in_processes_with_different_hash_seeds(batch):
    rows = [as_json(case) for case in batch]
    first, second = digests(rows, 0), digests(rows, 4242)
    assert len(first) == len(batch) and first == second


def _draws():
    """What a derandomized search over seeds draws, in order."""
    seen = []

    @settings(max_examples=200, derandomize=True, database=None)
    @given(st.integers(0, 10_000))
    def record(n):
        seen.append(n)

    record()
    return seen


def test_a_derandomized_search_draws_the_same_examples_whatever_the_process_imported(tmp_path, monkeypatch):
    # A module imported mid-run, full of in-range constants: hypothesis would draw some of them.
    (tmp_path / "imported_midway.py").write_text(f"SEEDS = {list(range(1000, 10_000, 37))}\n")
    monkeypatch.syspath_prepend(tmp_path)
    pinned = providers._get_local_constants
    assert pinned.pinned, "tests/conftest.py pins hypothesis's local constants for every test"

    def unpinned_draws():
        monkeypatch.setattr(providers, "_get_local_constants", pinned.unpinned)
        providers.CONSTANTS_CACHE.cache.clear()
        try:
            return _draws()
        finally:
            monkeypatch.setattr(providers, "_get_local_constants", pinned)
            providers.CONSTANTS_CACHE.cache.clear()

    before, unpinned_before = _draws(), unpinned_draws()
    monkeypatch.setitem(sys.modules, "imported_midway", importlib.import_module("imported_midway"))
    assert _draws() == before
    # What the pin prevents: left to itself, hypothesis draws other examples once the module is loaded.
    assert unpinned_draws() != unpinned_before
