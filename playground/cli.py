"""The ``playground`` command: run scenarios from a terminal (more subcommands join as the course grows).

Errors the playground raises on purpose are printed as one sentence, without
a traceback, and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playground.cli_types import whole
from playground.errors import PlaygroundError

#: Every scenario the course runs: command-line name → (module, factory, one line about it).
SCENARIOS: dict[str, tuple[str, str, str]] = {
    "order-flow": ("order_flow", "order_flow", "orders through invoices, payments, shipping and email (both wirings)"),
    "onboarding": ("onboarding", "onboarding_flow", "sign-ups: a user, a welcome email and an account (both wirings)"),
    "travel-booking": ("travel", "travel_booking", "trips: flight, hotel and car reserved, undone on failure"),
    "invoice-incident": ("invoice_incident", "invoice_incident", "a payment timeout that cancels invoices paid late"),
    "approval-desk": ("approval_desk", "approval_desk", "trips a manager must approve, escalated when slow"),
    "confirmation-flow": ("confirmation", "confirmation_flow", "orders whose saga waits for the confirmation email"),
    "growing-orchestrator": ("god_orchestrator", "growing_orchestrator", "one order saga that every new feature enlarges"),
    "data-pipeline": ("pipeline", "data_pipeline", "customer records copied to a warehouse and a search index"),
    "push-join": ("push_join", "push_join", "a push service joining the running order flow"),
    "contract-styles": ("row_events", "contract_styles", "orders publishing database rows instead of business events"),
    "event-spaghetti": ("spaghetti", "event_spaghetti", "the order flow after five teams joined it (teams=, style=)"),
    "ping-pong": ("ping_pong", "ping_pong", "a one-line miswiring that loops; max_depth= stops it"),
    "parcel-flow": ("parcels", "parcel_flow", "parcels weighed, billed and tracked (the contract-evolution exercise)"),
    "legacy-migration": ("strangler", "legacy_migration", "invoices moved off a legacy ERP, a fraction at a time"),
    "freight": ("freight", "freight", "shipments whose milestones are events, customs a saga inside (three wirings)"),
    "stale-copies": ("stale_copies", "stale_copies", "orders decided on copied credit limits that lag the record"),
}


#: The wirings scenarios offer; each scenario says which of them it has.
WIRINGS = ("choreography", "orchestration", "hybrid")


def _value(text: str):
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a plain word, e.g. wiring names


def _run(args: argparse.Namespace) -> int:
    import importlib

    module, factory, _ = SCENARIOS[args.scenario]
    build = getattr(importlib.import_module(f"playground.scenarios.{module}"), factory)
    params = {"seed": args.seed}
    for name in ("orders", "rate", "wiring", "malformed"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    for pair in args.set or ():
        name, sep, text = pair.partition("=")
        if not sep or not name.isidentifier():
            raise PlaygroundError(f"--set takes name=value, e.g. --set users=20, not {pair!r}.")
        params[name] = _value(text)
    if args.trace:
        _writable(args.trace)  # before the run, not after it
    try:
        scenario = build(**params)
    except TypeError as exc:
        raise PlaygroundError(f"The {args.scenario} scenario does not take that parameter ({exc}); "
                              f"see help(playground.scenarios.{module}.{factory}).") from None
    result = scenario.run()
    print(result.summary())
    if args.trace:
        try:
            with open(args.trace, "w", encoding="utf-8") as out:
                out.write(result.trace.to_jsonl())
        except OSError as exc:
            raise PlaygroundError(f"The trace could not be written to {args.trace} ({exc.strerror}).") from None
        print(f"trace written to {args.trace}")
    return 0


def _writable(path: str) -> None:
    """Refuse a trace file the run could not write, in one sentence."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise PlaygroundError(f"--trace {path} is a folder; give a file name, e.g. {target / 'trace.jsonl'}.")
    if not folder.is_dir():
        raise PlaygroundError(f"--trace {path}: the folder {folder} does not exist; create it first or "
                              "write the trace somewhere else.")
    if not os.access(folder, os.W_OK):
        raise PlaygroundError(f"--trace {path}: the folder {folder} cannot be written to; choose another.")



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playground", description="Conductor & Troupe: orchestration vs choreography, hands-on.")
    sub = parser.add_subparsers(dest="command", required=True)

    listing = "\n".join(f"  {name:<21} {line}" for name, (_, _, line) in SCENARIOS.items())
    run = sub.add_parser("run", help="run a scenario on simulated time and print its summary",
                         description=f"Run a scenario on simulated time and print its summary.\n\nscenarios:\n{listing}",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("scenario", choices=list(SCENARIOS), metavar="SCENARIO", help="one of the scenarios listed above")
    run.add_argument("--seed", type=whole, default=0,
                     help="seed for every random choice; the same seed gives the same trace (default: 0)")
    run.add_argument("--orders", type=whole, metavar="N",
                     help="how many orders, in the order scenarios (default: the scenario's own, 100 for order-flow)")
    run.add_argument("--rate", type=float, metavar="PER_SECOND",
                     help="transactions started per simulated second (default: the scenario's own, 1.0 for order-flow)")
    run.add_argument("--wiring", choices=WIRINGS,
                     help="how the services are coordinated, where the scenario offers a choice "
                          "(default: the scenario's own, choreography for order-flow)")
    run.add_argument("--malformed", type=whole, metavar="N",
                     help="how many orders to send with a broken payload, in order-flow (default: 0)")
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="any other parameter of the scenario, e.g. --set users=20 (repeatable)")
    run.add_argument("--trace", metavar="FILE", help="also write the trace as JSON lines to FILE")
    run.set_defaults(handler=_run)

    from playground.workers.commands import (
        add_kafka_commands,  # serve, place-orders, watch
    )

    add_kafka_commands(sub)

    from playground.grading.command import (
        add_grading_commands,  # grade, exercises build
    )

    add_grading_commands(sub)

    from playground.workspace import add_workspace_commands  # course, workspace

    add_workspace_commands(sub)

    from playground.testing.command import add_survival_command

    add_survival_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "course":  # only `course` passes options on (to JupyterLab)
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if extra:
        args.extra = extra
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
