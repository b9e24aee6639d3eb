import threading
import time

import pytest

from playground.grading.deadline import Guard, OutOfTime, call_with_limit, describe
from playground.scenarios.new_version import new_version
from playground.services import Email


def test_a_result_and_an_exception_come_back_unchanged():
    assert call_with_limit(lambda: "done", seconds=1) == "done"
    with pytest.raises(KeyError, match="'amount'"):
        call_with_limit(lambda: {}["amount"], seconds=1)


class _Spinning(Email):
    def confirm(self, order_id, customer):
        while customer:  # never changes: a loop a simulated clock cannot end
            pass


def test_an_endless_handler_inside_a_simulation_is_stopped_quickly_and_named():
    new_version(Email, orders=1, seed=1).run()  # first imports take longer than this test's limit
    started = time.monotonic()
    with pytest.raises(OutOfTime) as caught:
        call_with_limit(lambda: new_version(_Spinning, orders=5, seed=1).run(), seconds=0.3)
    # Stopped, not merely reported: well under the 10 s a busy machine might need, and far from endless.
    assert time.monotonic() - started < 10.0
    assert caught.value.where == "_Spinning.confirm"
    assert not [t for t in threading.enumerate() if t.name == "grading-check"], "the stopped thread lingers"
    assert describe(caught.value) == ("did not finish within 0.3 seconds of real time (it was still running "
                                      "`_Spinning.confirm`); look for a loop that never ends or a wait that nothing "
                                      "ever satisfies.")


def test_an_exception_handler_cannot_swallow_the_stop():
    def stubborn():
        while True:
            try:
                while True:
                    pass
            except Exception:
                continue

    started = time.monotonic()
    with pytest.raises(OutOfTime):
        call_with_limit(stubborn, seconds=0.2)
    assert time.monotonic() - started < 10.0


def test_a_guard_stopped_in_time_never_fires():
    guard = Guard(5.0).start()
    guard.stop()
    assert guard.fired is False
    time.sleep(0.05)  # nothing is raised here later
