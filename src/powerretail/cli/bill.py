"""``powerretail bill``: price a CSV of register reads or interval data under a tariff.

``--reads`` takes a CSV with either register columns
(``register,kind,previous,current,multiplier,meter``; ``kind`` is active, reactive or demand and
defaults to active, ``multiplier`` to 1) or interval columns (``start,kwh[,kvarh]``, 15-minute or
hourly, ``start`` with its UTC offset). ``--period`` is a month (``2025-07``) or a half-open
range (``2025-07-10..2025-08-01``).
"""

from __future__ import annotations

import argparse
import csv
import json
from typing import Any

from powerretail.adapters.tariff_library import load
from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries, RegisterRead, determinants_from_registers
from powerretail.cli._files import add_encoding_option, read_file
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange, as_instant

__all__ = ["bill_usage", "parse_period", "register", "usage_from_csv"]

_REGISTER_COLUMNS = {"register", "kind", "previous", "current", "multiplier", "meter"}
_INTERVAL_COLUMNS = {"start", "kwh", "kvarh"}


def parse_period(text: str) -> DateRange:
    """Return the billing period ``2025-07`` (a month) or ``2025-07-10..2025-08-01``.

    Raises:
        InvalidInput: neither form.
    """
    if ".." in text:
        start, _, end = text.partition("..")
        return DateRange(start, end)
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return DateRange.month(int(parts[0]), int(parts[1]))
    raise InvalidInput("period", text, "a month YYYY-MM or a range YYYY-MM-DD..YYYY-MM-DD")


def usage_from_csv(text: str) -> list[RegisterRead] | IntervalSeries:
    """Return the register reads or the interval series in CSV ``text``.

    Raises:
        InvalidInput: unknown columns, or a row that does not read.
    """
    try:
        rows = list(csv.DictReader(text.splitlines()))
    except csv.Error as err:
        raise InvalidInput("reads", str(err), "CSV text") from None
    for number, row in enumerate(rows, start=2):
        if None in row:  # more fields than the header names
            raise InvalidInput(
                f"line {number}", len(row) - 1 + len(row[None]), "a field per column"
            )
    columns = set(rows[0]) if rows else set()
    if columns and columns <= _REGISTER_COLUMNS and {"register", "current"} <= columns:
        reads = []
        for number, row in enumerate(rows, start=2):
            fields: dict[str, Any] = {k: v for k, v in row.items() if v not in ("", None)}
            for column in ("register", "current"):  # a short row leaves them out
                if column not in fields:
                    raise InvalidInput(f"line {number}.{column}", "", "a value (it is required)")
            try:
                reads.append(RegisterRead(**fields))
            except InvalidInput as err:
                raise InvalidInput(f"line {number}.{err.field}", err.value, err.expected) from None
        return reads
    if columns and columns <= _INTERVAL_COLUMNS and {"start", "kwh"} <= columns:
        starts = [as_instant(row["start"], "line 2.start") for row in rows[:2]]
        minutes = int((starts[1] - starts[0]).total_seconds() // 60) if len(starts) == 2 else 15
        reactive = [row["kvarh"] for row in rows] if "kvarh" in columns else None
        return IntervalSeries(
            start=starts[0],
            minutes=minutes,
            active_kwh=[row["kwh"] for row in rows],
            reactive_kvarh=reactive,
        )
    raise InvalidInput(
        "reads",
        ",".join(sorted(columns)) or "nothing",
        "register columns (register,current,…) or interval columns (start,kwh[,kvarh])",
    )


def bill_usage(
    tariff: Tariff,
    usage: list[RegisterRead] | IntervalSeries,
    period: DateRange,
    account: AccountFacts,
    *,
    account_id: str = "",
    bill_id: str = "",
) -> Bill:
    """Return the draft bill of register reads or an interval series."""
    engine = BillingEngine(tariff)
    if isinstance(usage, IntervalSeries):
        return engine.bill_intervals(usage, period, account, account_id=account_id, bill_id=bill_id)
    return engine.bill(
        determinants_from_registers(usage), period, account, account_id=account_id, bill_id=bill_id
    )


def _account(args: argparse.Namespace) -> AccountFacts:
    return AccountFacts(
        capacity_kva=args.capacity_kva,
        contract_demand_kw=args.contract_demand_kw,
        basic_charge_basis=args.basis,
        pf_standard=args.pf_standard,
        residential=args.residential,
        ytd_kwh=args.ytd_kwh,
        opened_on=args.opened_on,
        closed_on=args.closed_on,
    )


def _handle(args: argparse.Namespace) -> int:
    tariff = load(args.tariff, encoding=args.encoding)
    usage = usage_from_csv(read_file(args, args.reads, "reads file"))
    bill = bill_usage(
        tariff, usage, parse_period(args.period), _account(args), account_id=args.account or ""
    )
    if args.json:
        print(json.dumps(bill.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(bill.explain(args.lang))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``bill`` command."""
    parser = subparsers.add_parser("bill", help="price reads or interval data under a tariff")
    parser.add_argument("--tariff", required=True, help="a shipped tariff code or a tariff file")
    parser.add_argument("--reads", required=True, help="CSV of register reads or intervals")
    parser.add_argument("--period", required=True, help="2025-07 or 2025-07-10..2025-08-01")
    parser.add_argument("--account", help="the account id printed on the bill")
    parser.add_argument("--capacity-kva", help="contracted transformer capacity [kVA]")
    parser.add_argument("--contract-demand-kw", help="contract maximum demand [kW]")
    parser.add_argument("--basis", choices=["capacity", "demand"], help="basic-charge basis")
    parser.add_argument("--pf-standard", choices=["0.90", "0.85", "0.80"], help="PF standard")
    parser.add_argument("--residential", action="store_true", help="a residential account")
    parser.add_argument("--ytd-kwh", default="0", help="energy billed this tier year [kWh]")
    parser.add_argument("--opened-on", help="first day of service (move-in)")
    parser.add_argument("--closed-on", help="first day without service (move-out)")
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="language")
    parser.add_argument("--json", action="store_true", help="print the bill as JSON")
    add_encoding_option(parser)
    parser.set_defaults(handler=_handle)
