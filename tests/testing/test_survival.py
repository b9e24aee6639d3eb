"""The survival table: reproducible per seed, every plan counted, printed by a command."""

import pytest

from playground.cli import main
from playground.testing.survival import WIRINGS, report, survival


def test_the_same_seed_gives_the_same_table_and_no_promise_breaks():
    first, again = survival(4, seed=3), survival(4, seed=3)
    assert [vars(r) for r in first] == [vars(r) for r in again]
    assert [r.label for r in first] == list(WIRINGS)
    assert all(r.plans == 4 and r.violations == 0 and r.stuck == 0 and r.transactions >= 4 for r in first)


def test_lossy_plans_may_strand_transactions_but_each_is_counted(capsys):
    table = survival(12, lossy=True, seed=1)
    assert sum(r.stuck for r in table) > 0 and all(r.violations == 0 for r in table)
    assert report(table).splitlines()[0].split()[:3] == ["wiring", "plans", "violations"]


def test_the_command_prints_the_table_and_refuses_zero_plans(capsys):
    assert main(["survival", "--plans", "2", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert all(label in out for label in WIRINGS)
    assert main(["survival", "--plans", "0"]) == 2
    assert "--plans must be at least 1, not 0." in capsys.readouterr().err


def test_a_bad_number_of_plans_is_refused_in_one_sentence():
    with pytest.raises(ValueError, match="plans must be a whole number of at least 1, not 0"):
        survival(0)
