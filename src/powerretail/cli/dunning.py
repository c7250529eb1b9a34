"""``powerretail dunning run`` and ``powerretail arrears``: collections on a SQLite store.

``dunning run --store FILE --as-of DATE`` runs the day's dunning over every receivable of the
store (:func:`~powerretail.workflows.dunning.run_dunning`) and prints the orders issued; run it
again for the same day and nothing more is issued. The run acts as ``--actor`` holding
``--role`` (default the supply-office head, who may stop supply).

``arrears --store FILE`` prints the arrears register as of ``--as-of`` (default today): what each
account owes by ageing bucket, with totals per customer class (the customer's sector) and area
(the customer's region: no 台区 is stored yet).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.collections.arrears import AccountArrears, arrears_register
from powerretail.collections.dunning import DUNNING_RULE_SETS
from powerretail.customers.parties import Sector
from powerretail.errors import InvalidInput
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date
from powerretail.workflows.dunning import AccountDunningFacts, run_dunning

__all__ = ["register"]


def _store(path: str) -> SqliteStore:
    if not Path(path).is_file():
        raise InvalidInput("--store", path, "an existing powerretail SQLite file")
    return SqliteStore(path)


def _day(value: str | None) -> date:
    if value is None:
        return SystemClock().now().in_timezone(DEFAULT_TIMEZONE).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("--as-of", value, "a date YYYY-MM-DD") from None


def _facts(store: SqliteStore) -> tuple[dict[str, AccountDunningFacts], dict[str, tuple[str, str]]]:
    facts: dict[str, AccountDunningFacts] = {}
    groups: dict[str, tuple[str, str]] = {}
    with store.unit_of_work() as uow:
        customers = {c.entity.id: c.entity for c in uow.repository(CUSTOMERS).query()}
        for versioned in uow.repository(ACCOUNTS).query():
            account = versioned.entity
            customer = customers.get(account.customer_id)
            if customer is None:
                continue
            facts[str(account.id)] = AccountDunningFacts(
                is_residential=customer.sector is Sector.RESIDENTIAL,
                is_important=customer.designated_important,
                is_moved_out=account.closed_on is not None,
            )
            groups[str(account.id)] = (customer.sector.value, customer.region)
    return facts, groups


def _run(args: argparse.Namespace) -> int:
    store = _store(args.store)
    day = as_date(_day(args.as_of), "--as-of")
    facts, _groups = _facts(store)
    actor = Actor(id=args.actor, name=args.actor, roles={args.role})
    report = run_dunning(
        store.unit_of_work,
        as_of=day,
        clock=SystemClock(),
        policy=SEED_POLICY,
        actor=actor,
        rules=args.rules,
        facts=facts,
    )
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"dunning run {day} ({args.rules}): {len(report.orders)} orders")
    for account, order, kind in report.orders:
        print(f"  {account}  {kind:<15} {order}")
    for account, reason in report.refused:
        print(f"  {account}  refused: {reason}")
    for account, bill, reason in report.skipped:
        print(f"  {account}  skipped {bill}: {reason}")
    return 0


def _arrears(args: argparse.Namespace) -> int:
    store = _store(args.store)
    day = _day(args.as_of)
    _, groups = _facts(store)
    with store.unit_of_work() as uow:
        book = [
            AccountArrears.of(
                v.entity,
                classes={k: g[0] for k, g in groups.items()},
                areas={k: g[1] for k, g in groups.items()},
            )
            for v in uow.repository(RECEIVABLES).query()
        ]
    register = arrears_register(book, as_of=day)
    if args.format == "json":
        print(json.dumps(register.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"arrears as of {day}: {register.total.amount} {register.currency}")
    buckets = register.by_bucket()
    print("  " + "  ".join(f"{key}: {money.amount}" for key, money in buckets.items()))
    for title, table in (
        ("account", register.by_account()),
        ("class", register.by_class()),
        ("area", register.by_area()),
    ):
        print(f"by {title}:")
        for group, row in sorted(table.items()):
            cells = ", ".join(f"{bucket} {money.amount}" for bucket, money in row.items())
            print(f"  {group}: {cells}")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``dunning`` and ``arrears`` commands."""
    dunning = subparsers.add_parser("dunning", help="dun overdue accounts (reminders to restores)")
    actions = dunning.add_subparsers(dest="dunning_command", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="run the day's dunning over every receivable")
    run.add_argument("--store", required=True, help="the powerretail SQLite file")
    run.add_argument("--as-of", required=True, help="the day to dun for (YYYY-MM-DD)")
    run.add_argument(
        "--rules", choices=sorted(DUNNING_RULE_SETS), default="GYGZ1996", help="dunning rules"
    )
    run.add_argument("--actor", default="dunning-run", help="who runs it (recorded)")
    run.add_argument(
        "--role", default="supply_office_head", help="the actor's role (stop_supply needs one)"
    )
    run.add_argument("--format", choices=["text", "json"], default="text", help="output")
    run.set_defaults(handler=_run)

    arrears = subparsers.add_parser("arrears", help="print the arrears register with ageing")
    arrears.add_argument("--store", required=True, help="the powerretail SQLite file")
    arrears.add_argument("--as-of", help=f"the day (YYYY-MM-DD; default today, {DEFAULT_TIMEZONE})")
    arrears.add_argument("--format", choices=["text", "json"], default="text", help="output")
    arrears.set_defaults(handler=_arrears)
