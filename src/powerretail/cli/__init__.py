"""The ``powerretail`` command line, on top of the public API.

Each sub-command lives in its own module of this package and exposes ``register(subparsers)``;
the modules are listed in :data:`COMMAND_MODULES`. Commands print to stdout and return an exit
code: 0 done, 1 findings or a refusal to report, 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final

from powerretail import __version__
from powerretail.errors import PowerRetailError

__all__ = ["COMMAND_MODULES", "main"]

#: Sub-command modules, each with ``register(subparsers) -> None``; the parser they add sets
#: ``handler`` (a callable taking the parsed namespace and returning an exit code).
COMMAND_MODULES: Final[tuple[str, ...]] = (
    "powerretail.cli.bill",
    "powerretail.cli.demo",
    "powerretail.cli.dunning",
    "powerretail.cli.tariff",
    "powerretail.cli.validate",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="powerretail",
        description="Electricity retail and supply marketing: billing, metering, service limits.",
    )
    parser.add_argument("--version", action="version", version=f"powerretail {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (defaults to ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args))
    except PowerRetailError as err:
        print(f"powerretail: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    raise SystemExit(main())
