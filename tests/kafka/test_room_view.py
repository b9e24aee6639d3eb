"""The instructor's side of a workshop room: the room view's figures and room-wide faults, on tansu.

Three participants share one broker: two run the whole order flow, the third
only the orders service. The workers run for the whole module in one event
loop on a thread of their own; each test hands that loop what it wants done.
"""

import asyncio
import contextlib
import io
import os
import threading
import time

import pytest

from playground.cli import main
from playground.kafka.client import place_orders
from playground.kafka.room import fault_order, room_view, send_fault, watch_room
from playground.kafka.topics import Topology
from playground.workers.kafka import build_bus

FLOW = ["orders", "payments", "invoices", "shipping", "email"]
TAG = f"v{os.getpid()}"
PEOPLE = {f"alice-{TAG}": FLOW, f"bob-{TAG}": FLOW, f"carol-{TAG}": ["orders"]}
ALICE, BOB, CAROL = (f"room.{p}" for p in PEOPLE)


class Room:
    """An event loop on a thread, hosting every participant's worker; ``run`` executes a coroutine there."""

    def __init__(self, url):
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.buses = {}

    def run(self, coro, timeout=90):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def start(self):
        for person, services in PEOPLE.items():
            self.buses[f"room.{person}"] = build_bus(services, self.url, topology=Topology(prefix=f"room.{person}"),
                                                     state_dir=False, participant=person)
        await asyncio.gather(*(bus.start() for bus in self.buses.values()))

    async def stop(self):
        await asyncio.gather(*(bus.stop() for bus in self.buses.values() if not bus.stopped.is_set()))

    def sent(self, prefix, type_):
        """Order ids for which the participant's workers sent a message of ``type_``."""
        return {e.correlation_id for e in self.buses[prefix].trace.entries if e.kind == "send" and e.type == type_}

    def view_until(self, condition, timeout=30.0):
        """Take views until ``condition(view)`` holds; return the last one (the assertion shows it if it never did)."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.run(room_view(self.url))
            if condition(view) or time.monotonic() > deadline:
                return view
            time.sleep(0.5)


@pytest.fixture(scope="module")
def room(broker):
    running = Room(broker.url)
    try:
        running.run(running.start())
        yield running
    finally:
        with contextlib.suppress(Exception):
            running.run(send_fault(broker.url, fault_order("clear")), timeout=20)
        with contextlib.suppress(Exception):
            running.run(running.stop(), timeout=60)
        running.loop.call_soon_threadsafe(running.loop.stop)
        running.thread.join(10)


def settled(view, prefixes=(ALICE, BOB, CAROL)):
    return all(g.lag == 0 for g in view.groups if g.prefix in prefixes)


def test_the_view_shows_who_runs_what_their_progress_lag_and_dead_letters(room):
    room.run(place_orders(room.url, 3, topology=Topology(prefix=ALICE), batch="a", malformed=1))
    room.run(place_orders(room.url, 2, topology=Topology(prefix=BOB), batch="b"))
    room.run(place_orders(room.url, 2, topology=Topology(prefix=CAROL), batch="c"))
    view = room.view_until(lambda v: settled(v) and v.group(CAROL, "orders").read == 2
                           and v.group(BOB, "email").read >= 2 * 2 and v.dead_letters.get(ALICE) == 1)
    mine = [w for w in view.workers if w.prefix in (ALICE, BOB, CAROL)]
    assert sorted((w.participant, w.services, w.live) for w in mine) == sorted(
        (p, tuple(s), True) for p, s in PEOPLE.items())
    assert {(g.prefix, g.service) for g in view.groups if g.prefix in (ALICE, BOB, CAROL)} == {
        (f"room.{p}", s) for p, services in PEOPLE.items() for s in services}
    assert settled(view), view.text()
    # Carol runs orders alone: it read her two orders; nobody in her namespace takes OrderPlaced further.
    assert view.group(CAROL, "orders").read == 2
    assert room.sent(CAROL, "OrderPlaced") == {"order-c-0001", "order-c-0002"}
    # Alice's malformed order is her namespace's one dead letter, with its reason; Bob has none.
    assert view.dead_letters[ALICE] == 1 and "amount" in view.last_dead_letter[ALICE]
    assert view.dead_letters[BOB] == 0 and view.dead_letters[CAROL] == 0
    assert len(room.sent(ALICE, "OrderCompleted")) == 2 and len(room.sent(BOB, "OrderCompleted")) == 2
    text = view.text()
    for person in PEOPLE:
        assert person in text
    assert all(not w.error for w in mine)


def test_a_room_fault_takes_shipping_down_for_every_participant_until_it_ends(room):
    room.run(send_fault(room.url, fault_order("down", "shipping", lasting=60)))
    time.sleep(1.5)  # the workers read the control topic continuously
    for prefix in (ALICE, BOB):
        room.run(place_orders(room.url, 2, topology=Topology(prefix=prefix), batch="down"))
    down = room.view_until(lambda v: all(v.group(p, "shipping").lag >= 2 and v.group(p, "payments").lag == 0
                                         for p in (ALICE, BOB)))
    assert [f["service"] for f in down.faults] == ["shipping"] and down.faults[0]["fault"] == "down"
    for prefix in (ALICE, BOB):
        assert down.group(prefix, "shipping").lag >= 2, down.text()
        assert down.group(prefix, "shipping").workers == 1  # a stuck worker, not a dead one
        assert not {"order-down-0001", "order-down-0002"} & room.sent(prefix, "OrderShipped")
    assert "shipping down" in down.text()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["room", "fault", "--broker", room.url, "--clear"]) == 0
    assert out.getvalue() == "room fault sent: cleared every room fault.\n"
    after = room.view_until(lambda v: settled(v) and not v.faults)
    assert settled(after) and not after.faults, after.text()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(
            {"order-down-0001", "order-down-0002"} <= room.sent(p, "OrderCompleted") for p in (ALICE, BOB)):
        time.sleep(0.5)
    for prefix in (ALICE, BOB):
        assert {"order-down-0001", "order-down-0002"} <= room.sent(prefix, "OrderCompleted")


def test_a_slow_fault_delays_every_participants_payments_by_its_delay(room):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["room", "fault", "--broker", room.url, "--slow", "payments", "1s", "--for", "60s"]) == 0
    assert "payments waits 1 s before each message" in out.getvalue()
    time.sleep(1.5)
    for prefix in (ALICE, BOB):
        room.run(place_orders(room.url, 2, topology=Topology(prefix=prefix), batch="slow"))
    try:
        view = room.view_until(lambda v: all({"order-slow-0001", "order-slow-0002"} <= room.sent(p, "PaymentReceived")
                                              for p in (ALICE, BOB)))
        assert [(f["fault"], f["service"], f["seconds"]) for f in view.faults] == [("slow", "payments", 1.0)]
    finally:
        room.run(send_fault(room.url, fault_order("clear")))
    for prefix in (ALICE, BOB):
        times = {}
        for e in room.buses[prefix].trace.entries:
            if e.kind == "send" and e.correlation_id in ("order-slow-0001", "order-slow-0002"):
                times.setdefault((e.type, e.correlation_id), e.time)
        for order in ("order-slow-0001", "order-slow-0002"):
            waited = times["PaymentReceived", order] - times["InvoiceCreated", order]
            assert waited >= 1.0, (prefix, order, waited)


def test_a_participant_who_leaves_shows_as_gone_and_their_waiting_orders_as_stalled(room):
    room.run(room.buses[CAROL].stop())
    room.run(place_orders(room.url, 1, topology=Topology(prefix=CAROL), batch="late"))
    view = room.view_until(lambda v: v.group(CAROL, "orders").stalled)
    carol = [w for w in view.workers if w.prefix == CAROL]
    assert [w.live for w in carol] == [False]
    assert view.group(CAROL, "orders").lag == 1 and view.group(CAROL, "orders").workers == 0
    assert "STALLED" in view.text()


def test_a_worker_started_during_a_fault_obeys_it_from_its_first_message(room):
    room.run(send_fault(room.url, fault_order("down", "email", lasting=60)))

    async def late_worker():
        bus = build_bus(["email"], room.url, topology=Topology(prefix=f"room.dave-{TAG}"), state_dir=False,
                        participant=f"dave-{TAG}")
        await bus.start()  # reads the control topic's history before it takes any message
        try:
            down_at_start = bus.room.faults.down_until("email", time.time()) is not None
            await send_fault(room.url, fault_order("clear"))
            for _ in range(40):
                if bus.room.faults.down_until("email", time.time()) is None:
                    break
                await asyncio.sleep(0.25)
            return down_at_start, bus.room.faults.active(time.time())
        finally:
            await bus.stop()

    down_at_start, after_clear = room.run(late_worker())
    assert down_at_start and after_clear == []


def test_the_notebook_view_redraws_the_same_table_the_terminal_prints(room, capsys):
    view = room.run(watch_room(room.url, every=0.1, count=2))
    shown = capsys.readouterr().out  # outside a kernel, IPython's display prints each view
    assert shown.count("room on ") == 2 and f"alice-{TAG}" in shown
    assert view._repr_html_().startswith("<pre>room on ") and f"alice-{TAG}" in view._repr_html_()


def test_a_fault_naming_no_service_says_which_exist(broker, capsys):
    assert main(["room", "fault", "--broker", broker.url, "--slow", "paymnts", "2s"]) == 2
    assert "A room fault names a service, one of" in capsys.readouterr().err
    assert main(["room", "fault", "--broker", broker.url, "--down", "shipping", "soon"]) == 2
    assert capsys.readouterr().err == "playground: A duration looks like 2s, 1.5s, 2m or 250ms, not 'soon'.\n"
