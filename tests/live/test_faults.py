"""Live faults: crashes with no planned end, failure rates, one-shot duplicates."""

import pytest

from playground.errors import PlaygroundError
from playground.live.faults import POLL, LiveFaults, Window
from playground.transport.bus import Bus
from playground.runtime.randomness import Randomness
from playground.runtime.trace import Trace


class _Clockwork(Bus):
    """A bus that is never started: just a trace and a settable now()."""

    def __init__(self):
        super().__init__(Trace())
        self.t = 0.0

    def now(self):
        return self.t


def test_a_crash_lasts_until_restored_and_both_moments_are_traced():
    bus, faults = _Clockwork(), LiveFaults()
    faults.begin(bus, Randomness(1).stream("faults"))
    bus.t = 10.0
    faults.crash("email")
    assert faults.is_down("email")
    # Nobody knows when it comes back, so a stopped consumer looks again shortly.
    assert faults.down_until("email", 12.0) == 12.0 + POLL
    bus.t = 40.0
    faults.restore("email")
    assert faults.down_until("email", 41.0) is None
    assert faults.windows["email"] == [Window(10.0, 40.0)]
    phases = [(e.time, e.detail["phase"]) for e in bus.trace.where(kind="fault")]
    assert phases == [(10.0, "down"), (40.0, "up")]
    assert faults.actions == [(10.0, "crash", "email"), (40.0, "restore", "email")]


def test_crash_windows_close_an_open_crash_at_the_given_time():
    bus, faults = _Clockwork(), LiveFaults()
    faults.begin(bus, Randomness(1).stream("faults"))
    bus.t = 5.0
    faults.crash("payments")
    assert faults.crash_windows(until=25.0) == {"payments": [(5.0, 25.0)]}
    assert faults.crash_windows(until=5.0) == {}


def test_a_duplicate_rule_fires_on_the_next_message_only():
    bus, faults = _Clockwork(), LiveFaults()
    faults.begin(bus, Randomness(1).stream("faults"))
    assert not faults.touches_delivery
    faults.duplicate_next("email")
    assert faults.touches_delivery
    rule = faults.messages[-1]
    assert (rule.inbox, rule.nth) == ("email", (1,))


def test_changing_faults_needs_a_started_session():
    with pytest.raises(PlaygroundError, match="press start"):
        LiveFaults().crash("email")
