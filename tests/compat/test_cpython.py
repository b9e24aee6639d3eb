"""Canaries for the CPython internals in playground/compat/cpython.py: each fails in one sentence naming the Python."""

import platform
import threading
import time

from playground.compat.cpython import TESTED, current_frames, raise_in_thread


def broke(what: str) -> str:
    return (f"Python {platform.python_version()} changed {what}, which playground/compat/cpython.py relies on "
            f"(tested with {TESTED}); mend the fence.")


class _Stop(Exception):
    pass


def test_an_exception_can_be_raised_inside_another_thread():
    caught = []

    def spin():
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                pass
        except _Stop:
            caught.append(True)

    worker = threading.Thread(target=spin)
    worker.start()
    raise_in_thread(worker.ident, _Stop)
    worker.join(15)
    assert caught == [True], broke("PyThreadState_SetAsyncExc")


def test_every_threads_frame_can_be_read():
    frames = current_frames()
    assert threading.get_ident() in frames, broke("sys._current_frames")
    names, frame = [], frames[threading.get_ident()]
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    assert "test_every_threads_frame_can_be_read" in names, broke("sys._current_frames (not the running frame)")
