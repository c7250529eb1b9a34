"""``powerretail tariff list|show|check|import-urdb``: the tariff library and tariff files.

``import-urdb`` reads an OpenEI URDB rate (JSON, one record or an API answer with one item)
and prints it as a tariff file (TOML), or exits 2 naming each URDB feature it cannot price.

``check`` validates a tariff file and then compares every price with the plausibility bounds of
:mod:`powerretail.tariffs.plausibility` (energy 0-5 元/kWh, basic charges 0-100 元/kW·月 or
元/kVA·月, …; negative only for adjustment charges): each price outside them is printed as a
warning. Exit codes: 0 valid (warnings alone do not fail it), 1 warnings with ``--strict``,
2 the file is not a valid tariff.
"""

from __future__ import annotations

import argparse
from typing import Any

from powerretail.adapters.tariff_library import load, shipped_codes
from powerretail.cli._files import add_encoding_option, read_file
from powerretail.tariffs.describe import describe_tariff
from powerretail.tariffs.parser import dump_toml
from powerretail.tariffs.plausibility import implausible_prices
from powerretail.tariffs.urdb import loads_urdb_json

__all__ = ["register"]


def _list(_args: argparse.Namespace) -> int:
    for code in shipped_codes():
        tariff = load(code)
        print(f"{code:<14} {tariff.name_en}")
    return 0


def _show(args: argparse.Namespace) -> int:
    print(describe_tariff(load(args.tariff, encoding=args.encoding)))
    return 0


def _check(args: argparse.Namespace) -> int:
    tariff = load(args.tariff, encoding=args.encoding)
    illustrative = [v.label for v in tariff.versions if v.status.value == "illustrative"]
    findings = implausible_prices(tariff)
    for finding in findings:
        print(f"warning: {finding}")
    if findings:
        print(
            f"implausible: {tariff.code}, {len(tariff.versions)} version(s), "
            f"{len(findings)} price(s) outside the plausibility bounds"
        )
    else:
        print(f"ok: {tariff.code}, {len(tariff.versions)} version(s)")
    if illustrative:
        print(f"note: illustrative numbers in version(s) {', '.join(illustrative)}")
    return 1 if findings and args.strict else 0


def _import_urdb(args: argparse.Namespace) -> int:
    text = read_file(args, args.file, "URDB rate file")
    tariff = loads_urdb_json(text, timezone=args.timezone, effective_from=args.effective_from)
    print(dump_toml(tariff), end="")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``tariff`` command and its ``list``, ``show`` and ``check`` actions."""
    parser = subparsers.add_parser("tariff", help="list, explain or validate tariffs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the shipped tariffs").set_defaults(handler=_list)
    for name, handler, text in (
        ("show", _show, "explain a tariff"),
        (
            "check",
            _check,
            (
                "validate a tariff file (exit 2 with the problem's path) and warn of implausible "
                "prices (exit 1 with --strict)"
            ),
        ),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("tariff", help="a shipped tariff code or a .toml/.json file")
        add_encoding_option(action)
        if name == "check":
            action.add_argument(
                "--strict",
                action="store_true",
                help="exit 1 when a price is outside the plausibility bounds",
            )
        action.set_defaults(handler=handler)
    text = "print an OpenEI URDB rate (JSON) as a tariff file, or name what it cannot price"
    urdb = actions.add_parser("import-urdb", help=text, description=text)
    urdb.add_argument("file", help="a URDB rate as JSON (a record, or an API answer of one)")
    urdb.add_argument(
        "--timezone", required=True, help="IANA zone of the rate's hours, e.g. America/Chicago"
    )
    urdb.add_argument(
        "--effective-from",
        default=None,
        help="first day in force YYYY-MM-DD (default: the record's startdate)",
    )
    add_encoding_option(urdb)
    urdb.set_defaults(handler=_import_urdb)
