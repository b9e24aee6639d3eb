"""The ``playground`` command: run scenarios from a terminal (more subcommands join as the course grows).

Errors the playground raises on purpose are printed as one sentence, without
a traceback, and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from playground.errors import PlaygroundError


def _run(args: argparse.Namespace) -> int:
    from playground.scenarios import order_flow

    scenarios: dict[str, Callable] = {"order-flow": order_flow}
    result = scenarios[args.scenario](orders=args.orders, seed=args.seed, rate=args.rate,
                                      wiring=args.wiring, malformed=args.malformed).run()
    print(result.summary())
    if args.trace:
        with open(args.trace, "w", encoding="utf-8") as out:
            out.write(result.trace.to_jsonl())
        print(f"trace written to {args.trace}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playground", description="Conductor & Troupe: orchestration vs choreography, hands-on.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a scenario on simulated time and print its summary")
    run.add_argument("scenario", choices=["order-flow"])
    run.add_argument("--orders", type=int, default=100)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--rate", type=float, default=1.0, help="orders per simulated second")
    run.add_argument("--wiring", default="choreography")
    run.add_argument("--malformed", type=int, default=0, help="how many orders to send with a broken payload")
    run.add_argument("--trace", metavar="FILE", help="also write the trace as JSON lines to FILE")
    run.set_defaults(handler=_run)

    from playground.workers.commands import add_kafka_commands  # serve, place-orders, watch

    add_kafka_commands(sub)

    from playground.grading.command import add_grading_commands  # grade, exercises build

    add_grading_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except PlaygroundError as exc:
        print(f"playground: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("playground: stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
