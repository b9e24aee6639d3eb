"""No hidden global state: library log levels are changed only while a bus runs, and given back after."""

import gc
import logging
import subprocess
import sys

from playground.scenarios.order_flow import order_flow
from playground.transport.bus import library_logs


def test_importing_the_bus_leaves_every_log_level_alone():
    code = ("import logging, playground.transport.bus, playground.kafka.bus; "
            "print([logging.getLogger(n).level for n in ('faust', 'mode', 'aiokafka')])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "[0, 0, 0]", run.stdout + run.stderr


def test_a_run_quiets_faust_and_gives_back_the_level_it_found():
    gc.collect()  # a bus an earlier test left unstopped no longer counts as running
    faust_log = logging.getLogger("faust")
    before = faust_log.level
    faust_log.setLevel(logging.DEBUG)
    seen = []
    original = library_logs.enter

    def spy(bus):
        original(bus)
        seen.append(faust_log.level)

    library_logs.enter = spy
    try:
        order_flow(orders=3, seed=1).run()
        assert seen == [logging.WARNING]
        assert faust_log.level == logging.DEBUG
    finally:
        library_logs.enter = original
        faust_log.setLevel(before)
