"""The ``powerretail`` command line, on top of the public API.

Each sub-command lives in its own module of this package and exposes ``register(subparsers)``;
the modules are listed in :data:`COMMAND_MODULES`. Commands print to stdout and return an exit
code: 0 done, 1 findings or a refusal to report, 2 bad input (a file that cannot be read, a store
that cannot be used, a value that is not what was expected) or output closed early; the message
goes to standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
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
    "powerretail.cli.cases",
    "powerretail.cli.demo",
    "powerretail.cli.dunning",
    "powerretail.cli.retail",
    "powerretail.cli.outages",
    "powerretail.cli.ledger",
    "powerretail.cli.tariff",
    "powerretail.cli.validate",
    "powerretail.cli.whatif",
    "powerretail.cli.work_orders",
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


def _exit_code(code: object) -> int:
    """Return the exit code argparse asked for (``--help``: 0, a bad option: 2)."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 2


def _complain(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # standard error itself may be gone
        print(f"powerretail: {message}", file=sys.stderr)


def _drop_stdout() -> None:
    """Point standard output at the null device, so exiting does not fail on the closed pipe."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # standard output is not a file (captured, replaced)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (defaults to ``sys.argv[1:]``); return the exit code.

    Never raises: bad input (a library error, an unreadable or unwritable file, a store that
    cannot be used) prints one line on standard error and returns 2; so does output closed before
    everything was written (``powerretail tariff show X | head -1``).
    """
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as stop:  # argparse: --help, --version, or a bad option (usage shown)
            return _exit_code(stop.code)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            code = 0
        else:
            code = int(handler(args))
        sys.stdout.flush()  # a closed pipe shows here, not while the interpreter exits
        return code
    except PowerRetailError as err:
        _complain(str(err))
    except BrokenPipeError:
        _drop_stdout()
        _complain("the output was closed before everything was written")
    except UnicodeEncodeError as err:
        _complain(
            f"the output cannot hold {err.object[err.start : err.end]!r} in {err.encoding}; "
            "set PYTHONIOENCODING=utf-8"
        )
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        _complain(f"{where}{err.strerror or err}")
    return 2


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    raise SystemExit(main())
