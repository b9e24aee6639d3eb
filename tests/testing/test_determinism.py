"""Determinism as a property: a generated case run in two processes with different hash seeds, byte for byte."""

import json
import os
import subprocess
import sys
from dataclasses import asdict

from hypothesis import given
from hypothesis import strategies as st

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
