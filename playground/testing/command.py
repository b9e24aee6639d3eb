"""``playground survival``: the survival table from the command line."""

from __future__ import annotations

import argparse

from playground.cli_types import whole
from playground.errors import PlaygroundError


def _survival(args: argparse.Namespace) -> int:
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise PlaygroundError("playground survival needs hypothesis, which the test extra installs: "
                              "pip install -e \".[test]\".") from None
    from playground.testing.survival import report, survival

    if args.plans < 1:
        raise PlaygroundError(f"--plans must be at least 1, not {args.plans}.")
    table = survival(args.plans, lossy=args.lossy, seed=args.seed)
    print(report(table))
    return 0 if all(row.violations == 0 for row in table) else 1


def add_survival_command(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "survival", help="run generated fault plans against both wirings and print how the promises fared",
        description="Run generated fault plans (latency, outages, crashes, failed calls, duplicates, delays, "
                    "reorders; with --lossy also drops and memory-only orchestrator crashes) against each wiring "
                    "and print: plans tried, plans that broke a promise, transactions stuck, and the worst "
                    "recovery time after the last fault window closed. Exit status 1 when a promise broke.")
    parser.add_argument("--plans", type=whole, default=200, metavar="N", help="plans per wiring (default: 200)")
    parser.add_argument("--seed", type=whole, default=0, help="generator seed; the same seed, the same table (default: 0)")
    parser.add_argument("--lossy", action="store_true", help="also draw faults that lose messages for good")
    parser.set_defaults(handler=_survival)
