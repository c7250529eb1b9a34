"""``powerretail demo``: bill a handful of sample customers from shipped data, explained.

The customers (``powerretail/data/samples/demo.toml``): a Jiangsu household on annual tiers with
peak/valley prices, a single-part commercial user who moved in mid-month, the two-part foundry of
rules.md §19.2 (from register reads with a multiplier) and a Guangdong factory billed from
15-minute interval data. :func:`bill_customers` is the billing part, callable on its own.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from collections.abc import Sequence
from typing import Any

import attrs

from powerretail.adapters.tariff_library import load_shipped, sample_text
from powerretail.billing.bill import Bill
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.usage import IntervalSeries, RegisterRead
from powerretail.cli.bill import bill_usage, usage_from_csv
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import Tariff
from powerretail.timeframe import DateRange

__all__ = ["DemoCustomer", "bill_customers", "load_demo_customers", "register"]


@attrs.frozen(kw_only=True)
class DemoCustomer:
    """A sample customer: who, under which tariff, what they used, over which period."""

    account_id: str
    name: str
    note: str
    tariff: Tariff
    period: DateRange
    account: AccountFacts
    usage: list[RegisterRead] | IntervalSeries


def _usage(entry: dict[str, Any]) -> list[RegisterRead] | IntervalSeries:
    if "reads" in entry:
        return usage_from_csv(sample_text(entry["reads"]))
    if "intervals" in entry:
        return usage_from_csv(sample_text(entry["intervals"]))
    if "registers" in entry:
        return [RegisterRead(**fields) for fields in entry["registers"]]
    raise InvalidInput(
        f"customers.{entry.get('account_id')}", entry, "reads, intervals or registers"
    )


def load_demo_customers(text: str | None = None) -> tuple[DemoCustomer, ...]:
    """Return the sample customers described in ``text`` (default: the shipped ``demo.toml``)."""
    data = tomllib.loads(text if text is not None else sample_text("demo.toml"))
    return tuple(
        DemoCustomer(
            account_id=entry["account_id"],
            name=entry["name"],
            note=entry.get("note", ""),
            tariff=load_shipped(entry["tariff"]),
            period=DateRange(*entry["period"]),
            account=AccountFacts(**entry.get("account", {})),
            usage=_usage(entry),
        )
        for entry in data["customers"]
    )


def bill_customers(customers: Sequence[DemoCustomer]) -> tuple[Bill, ...]:
    """Return the draft bill of each customer, in order."""
    return tuple(
        bill_usage(
            customer.tariff,
            customer.usage,
            customer.period,
            customer.account,
            account_id=customer.account_id,
            bill_id=f"{customer.account_id}-{customer.period.start:%Y%m}",
        )
        for customer in customers
    )


def _handle(args: argparse.Namespace) -> int:
    customers = load_demo_customers()
    bills = bill_customers(customers)
    if args.json:
        print(json.dumps([bill.to_dict() for bill in bills], ensure_ascii=False, indent=2))
        return 0
    for customer, bill in zip(customers, bills, strict=True):
        print(f"=== {customer.name}")
        if customer.note:
            print(f"    {customer.note}")
        print(bill.explain(args.lang))
        print()
    return 0


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser("demo", help="bill sample customers and explain the bills")
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="language")
    parser.add_argument("--json", action="store_true", help="print the bills as JSON")
    parser.set_defaults(handler=_handle)
