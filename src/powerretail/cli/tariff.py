"""``powerretail tariff list|show|check``: the tariff library and tariff files."""

from __future__ import annotations

import argparse
from typing import Any

from powerretail.adapters.tariff_library import load, shipped_codes
from powerretail.tariffs.describe import describe_tariff

__all__ = ["register"]


def _list(_args: argparse.Namespace) -> int:
    for code in shipped_codes():
        tariff = load(code)
        print(f"{code:<14} {tariff.name_en}")
    return 0


def _show(args: argparse.Namespace) -> int:
    print(describe_tariff(load(args.tariff)))
    return 0


def _check(args: argparse.Namespace) -> int:
    tariff = load(args.tariff)
    illustrative = [v.label for v in tariff.versions if v.status.value == "illustrative"]
    print(f"ok: {tariff.code}, {len(tariff.versions)} version(s)")
    if illustrative:
        print(f"note: illustrative numbers in version(s) {', '.join(illustrative)}")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``tariff`` command and its ``list``, ``show`` and ``check`` actions."""
    parser = subparsers.add_parser("tariff", help="list, explain or validate tariffs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list the shipped tariffs").set_defaults(handler=_list)
    for name, handler, text in (
        ("show", _show, "explain a tariff"),
        ("check", _check, "validate a tariff file (exit 2 with the problem's path)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("tariff", help="a shipped tariff code or a .toml/.json file")
        action.set_defaults(handler=handler)
