"""The Kafka-mode subcommands of ``playground``: ``serve``, ``place-orders``, ``watch`` and ``room``.

Each takes ``--broker kafka://host:port`` (or reads ``PLAYGROUND_BROKER``)
and ``--prefix``/``--partitions``, which must match across every process of
one run. Heavy imports (faust, aiokafka) wait until a command runs, so
``playground --help`` stays quick.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from playground.errors import PlaygroundError


def _topology(args: argparse.Namespace):
    from playground.kafka.topics import Topology

    if args.partitions < 1:
        raise PlaygroundError(f"--partitions must be at least 1, not {args.partitions}.")
    topology = Topology(prefix=prefix_of(args), partitions=args.partitions)
    if args.wiring == "orchestration" or "orchestrator" in getattr(args, "services", ()):
        from playground.workers.kafka import orchestrated

        return orchestrated(topology)
    return topology


#: The environment variable naming a workshop participant (each laptop sets it once).
PARTICIPANT_ENV = "PLAYGROUND_PARTICIPANT"


def prefix_of(args: argparse.Namespace) -> str:
    """The run's namespace: --prefix, else room.<participant> (isolated by default), else playground."""
    if args.prefix:
        return args.prefix
    if args.participant:
        name = "".join(c if c.isalnum() or c in "-_" else "-" for c in args.participant.strip().lower())
        if not name:
            raise PlaygroundError(f"--participant needs letters or digits, not {args.participant!r}.")
        return f"room.{name}"
    return "playground"


def _rules(given: list[str] | None) -> dict[str, object]:
    """``--fail cars=0.5`` values as the travel services take them: a name, a number of attempts, a fraction."""
    rules: dict[str, object] = {}
    for text in given or ():
        service, sep, rule = text.partition("=")
        if not sep:
            raise PlaygroundError(f"--fail takes SERVICE=RULE, for example --fail cars=0.5, not {text!r}.")
        value: object = rule
        for convert in (int, float):
            try:
                value = convert(rule)
                break
            except ValueError:
                pass
        rules[service] = value
    return rules


def _broker(args: argparse.Namespace) -> str:
    from playground.kafka.broker import BROKER_ENV, BrokerError, broker_url

    url = broker_url(args.broker)
    if url is None:
        raise BrokerError(f"Kafka mode needs a broker: pass --broker kafka://host:port or set {BROKER_ENV}.")
    return url


def _serve(args: argparse.Namespace) -> int:
    from playground.kafka.live_trace import LiveTrace
    from playground.workers.kafka import run_serve

    state_dir = False if args.no_state else args.state_dir
    options = dict(topology=_topology(args), state_dir=state_dir, wiring=args.wiring, participant=args.participant, saga=args.saga or ["order"],
                   fail=_rules(args.fail), changelog=not args.no_changelog)
    if args.trace:
        with open(args.trace, "a", encoding="utf-8", buffering=1) as sink:
            return run_serve(args.services, _broker(args), trace=LiveTrace(keep=False, sink=sink), **options)
    return run_serve(args.services, _broker(args), trace=LiveTrace(keep=False), **options)


def _place_orders(args: argparse.Namespace) -> int:
    from playground.kafka.client import place_orders
    from playground.runtime.checks import whole_number

    whole_number("--orders", args.orders, minimum=1)
    whole_number("--malformed", args.malformed)
    ids = asyncio.run(place_orders(_broker(args), args.orders, topology=_topology(args), batch=args.batch,
                                   seed=args.seed, rate=args.rate, malformed=args.malformed))
    first, last = (ids[0], ids[-1]) if ids else ("-", "-")
    print(f"placed {len(ids):,} orders ({first} … {last}) on {_topology(args).topic_for('PlaceOrder')}.")
    return 0


def _place_trips(args: argparse.Namespace) -> int:
    from playground.kafka.client import book_trips
    from playground.runtime.checks import whole_number

    whole_number("--trips", args.trips, minimum=1)
    topology = _topology(args)
    ids = asyncio.run(book_trips(_broker(args), args.trips, topology=topology, batch=args.batch, seed=args.seed,
                                 rate=args.rate))
    print(f"booked {len(ids):,} trips ({ids[0]} … {ids[-1]}) on {topology.topic_for('BookTrip')}.")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from playground.kafka.client import watch

    async def main() -> int:
        seen = 0
        async for record in watch(_broker(args), topology=_topology(args), from_beginning=not args.new_only):
            if args.type and (record.envelope is None or record.envelope.type not in args.type):
                continue
            print(record.line(), flush=True)
            seen += 1
            if args.count and seen >= args.count:
                return 0
        return 0

    return asyncio.run(main())


def _room(args: argparse.Namespace) -> int:
    from playground.kafka.room import parse_seconds, run_room_view

    return run_room_view(_broker(args), every=parse_seconds(args.every), count=args.count)


def _room_fault(args: argparse.Namespace) -> int:
    from playground.kafka.room import fault_order, parse_seconds, send_fault
    from playground.services import SERVICES

    if args.clear:
        order = fault_order("clear")
        said = "cleared every room fault"
    else:
        kind, (service, amount) = ("slow", args.slow) if args.slow else ("down", args.down)
        names = sorted([*SERVICES, "orchestrator"])
        if service not in names:
            raise PlaygroundError(f"A room fault names a service, one of {', '.join(names)}; not {service!r}.")
        if kind == "slow":
            delay, lasting = parse_seconds(amount), parse_seconds(args.lasting)
            order = fault_order("slow", service, seconds=delay, lasting=lasting)
            said = f"{service} waits {delay:g} s before each message, in every namespace of the room, for {lasting:g} s"
        else:
            lasting = parse_seconds(amount)
            order = fault_order("down", service, lasting=lasting)
            said = f"{service} takes no messages in any namespace of the room for {lasting:g} s"
    asyncio.run(send_fault(_broker(args), order))
    print(f"room fault sent: {said}.")
    return 0


def add_kafka_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``serve``, ``place-orders``, ``watch`` and ``room`` to the ``playground`` command."""
    from playground.services import SERVICES

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--broker", metavar="kafka://HOST:PORT",
                       help="the Kafka broker (default: $PLAYGROUND_BROKER)")
        p.add_argument("--participant", default=os.environ.get(PARTICIPANT_ENV),
                       help="your name in a workshop room: your own topics and groups (prefix room.NAME) and your "
                            f"name on every message you send (default: ${PARTICIPANT_ENV})")
        p.add_argument("--prefix", default=None,
                       help="namespace of topics and consumer groups (default: playground, or room.NAME with "
                            "--participant; name a shared one, e.g. --prefix room.shared, to join a room's flow)")
        p.add_argument("--partitions", type=int, default=4, help="partitions per topic (same for every process)")
        p.add_argument("--wiring", choices=("choreography", "orchestration"), default=None,
                       help="services react to events (default), or take commands from an orchestrator "
                            "(implied by serving the orchestrator; same for every process)")

    serve = sub.add_parser("serve", help="run services (or the orchestrator) as a faust worker until Ctrl-C")
    names = sorted([*SERVICES, "orchestrator"])
    serve.add_argument("services", nargs="+", choices=names, metavar="SERVICE",
                       help=f"one or more of: {', '.join(names)}")
    common(serve)
    serve.add_argument("--saga", choices=("order", "trip"), action="append",
                       help="a saga the orchestrator runs (repeatable; default: order)")
    serve.add_argument("--fail", metavar="SERVICE=RULE", action="append",
                       help="forced failures of flights, hotels or cars (always, once, a count or a fraction), "
                            "e.g. cars=0.5; repeatable")
    serve.add_argument("--state-dir", help="folder for the services' state files, shared by their workers on this "
                                           "machine; a local disk, never a network filesystem")
    serve.add_argument("--no-state", action="store_true", help="keep service state in memory only")
    serve.add_argument("--no-changelog", action="store_true",
                       help="keep service state on this machine only: a partition that moves to a worker on another "
                            "machine arrives without it (by default it moves on a compacted changelog topic)")
    serve.add_argument("--trace", metavar="FILE", help="append the trace to FILE as JSON lines while running")
    serve.set_defaults(handler=_serve)

    place = sub.add_parser("place-orders", help="publish orders on a Kafka broker")
    place.add_argument("--orders", type=int, default=10)
    common(place)
    place.add_argument("--rate", type=float, default=None, help="orders per second (default: all at once)")
    place.add_argument("--seed", type=int, default=0, help="seed for customers and amounts")
    place.add_argument("--batch", help="tag in the order ids, order-<batch>-0001 (default: random)")
    place.add_argument("--malformed", type=int, default=0, help="how many orders to send with a broken payload")
    place.set_defaults(handler=_place_orders)

    trips = sub.add_parser("place-trips", help="ask a Kafka orchestrator (serve orchestrator --saga trip) to book trips")
    trips.add_argument("--trips", type=int, default=10)
    common(trips)
    trips.add_argument("--rate", type=float, default=None, help="trips per second (default: all at once)")
    trips.add_argument("--seed", type=int, default=0, help="seed for the travellers")
    trips.add_argument("--batch", help="tag in the trip ids, trip-<batch>-0001 (default: random)")
    trips.set_defaults(handler=_place_trips)

    watch = sub.add_parser("watch", help="print every message on a Kafka broker as it flows, until Ctrl-C")
    common(watch)
    watch.add_argument("--new-only", action="store_true", help="skip what is already on the topics")
    watch.add_argument("--type", action="append", help="show only this message type (repeatable)")
    watch.add_argument("--count", type=int, default=0, help="stop after this many messages")
    watch.set_defaults(handler=_watch)

    room = sub.add_parser("room", help="the instructor's view of a workshop room: every participant's services, "
                                       "lag, dead letters and faults, refreshed until Ctrl-C")
    room.add_argument("--broker", metavar="kafka://HOST:PORT", help="the Kafka broker (default: $PLAYGROUND_BROKER)")
    room.add_argument("--every", default="2s", help="time between two refreshes (default: 2s)")
    room.add_argument("--count", type=int, default=0, help="stop after this many views (default: until Ctrl-C)")
    room.set_defaults(handler=_room)
    room_sub = room.add_subparsers(dest="room_command", metavar="fault")
    fault = room_sub.add_parser("fault", help="a fault for every participant's workers of one service")
    fault.add_argument("--broker", metavar="kafka://HOST:PORT", default=argparse.SUPPRESS,
                       help="the Kafka broker (default: $PLAYGROUND_BROKER)")
    kinds = fault.add_mutually_exclusive_group(required=True)
    kinds.add_argument("--slow", nargs=2, metavar=("SERVICE", "DELAY"),
                       help="every worker of SERVICE waits DELAY (e.g. 2s) before each message, for --for")
    kinds.add_argument("--down", nargs=2, metavar=("SERVICE", "DURATION"),
                       help="every worker of SERVICE takes no messages for DURATION (e.g. 30s)")
    kinds.add_argument("--clear", action="store_true", help="end every room fault now")
    fault.add_argument("--for", dest="lasting", default="60s", help="how long a --slow fault lasts (default: 60s)")
    fault.set_defaults(handler=_room_fault)
