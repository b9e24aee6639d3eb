import pytest

from playground.analysis.invariants import check
from playground.errors import ScenarioError
from playground.scenarios.approval_desk import approval_desk


def test_escalation_to_seniors_saves_trips_that_silence_would_cancel():
    silent = approval_desk(trips=30, seed=5, escalation=None).run()
    escalated = approval_desk(trips=30, seed=5, escalation=600).run()
    assert silent.counts()["compensated"] > 5 and escalated.counts() == {"completed": 30}
    assert len(escalated.trace.where(kind="send", type="ApprovalEscalated")) == silent.counts()["compensated"]
    late = [d.reason for d in silent.dead_letters]
    assert late and all("came after the approval was given up" in r for r in late)
    assert all(not v for v in check(escalated).values())


def test_a_bad_timeout_gets_one_sentence():
    with pytest.raises(ScenarioError, match="approval_timeout must be a number greater than 0"):
        approval_desk(approval_timeout=0)


def test_who_decided_counts_every_trip_once():
    from playground.scenarios.approval_desk import who_decided

    silent = approval_desk(trips=30, seed=5, escalation=None).run()
    assert who_decided(silent)["nobody in time"] == silent.counts()["compensated"]
    assert sum(who_decided(silent).values()) == 30
    escalated = approval_desk(trips=30, seed=5, escalation=600).run()
    assert "nobody in time" not in who_decided(escalated) and who_decided(escalated)["a senior"] > 0
