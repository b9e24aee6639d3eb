"""One interrupt stops a simulated run in a Jupyter kernel, and its simulation thread with it."""

import os
import queue
import time

import jupyter_client

from playground.runtime.interrupt import run_in_thread

SPINNING_RUN = '''
from playground.scenarios.new_consumer import order_flow_with
from playground.services import Service, handles

class Spinner(Service):
    name = "spinner"

    @handles("AwardPoints")
    def award(self, order_id, customer):
        print("spinning", flush=True)
        while True:
            pass

order_flow_with(Spinner, {"OrderCompleted": "AwardPoints"}, orders=3, seed=1).run()
'''


def _outputs_until_idle(kc, msg_id, seconds, on_output=None):
    """Stream texts and errors of one execution, as (kind, text) pairs."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            seen.append(("stream", content["text"]))
        elif kind == "error":
            seen.append(("error", f"{content['ename']}: {content['evalue']}"))
        elif kind == "status" and content["execution_state"] == "idle":
            return seen
        if on_output:
            on_output(seen)
    raise AssertionError(f"the kernel was still busy after {seconds} s: {seen}")


def test_one_interrupt_stops_a_spinning_handler_and_its_thread_in_a_kernel(tmp_path):
    env = {**os.environ, "IPYTHONDIR": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env)
    try:
        msg_id = kc.execute(SPINNING_RUN)
        interrupted = []

        def interrupt_once_spinning(seen):
            if not interrupted and any("spinning" in text for _, text in seen):
                interrupted.append(time.monotonic())
                km.interrupt_kernel()

        seen = _outputs_until_idle(kc, msg_id, 60, interrupt_once_spinning)
        assert interrupted, "the handler never started spinning"
        assert time.monotonic() - interrupted[0] < 10  # one interrupt was enough
        errors = [text for kind, text in seen if kind == "error"]
        assert errors == [("KeyboardInterrupt: The run was interrupted at simulated second 0.696 "
                           "and its simulation thread has stopped.")]
        assert [text for kind, text in seen if kind == "stream"] == ["spinning\n"]  # no asyncio complaints

        msg_id = kc.execute("import threading; print(sorted(t.name for t in threading.enumerate() "
                            "if t.name.startswith('simulation')))")
        assert _outputs_until_idle(kc, msg_id, 30) == [("stream", "[]\n")]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_thread_run_hands_back_its_result_and_its_error():
    assert run_in_thread(lambda: 6 * 7) == 42
    try:
        run_in_thread(lambda: 1 / 0)
    except ZeroDivisionError as error:
        assert error.__traceback__ is not None
    else:
        raise AssertionError("the error was lost")
