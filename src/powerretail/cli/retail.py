"""``powerretail retail``: the retail company's month (``settle``; more actions plug in).

``powerretail retail settle --store FILE --month YYYY-MM [--actor ID] [--role ROLE]
[--format json]`` settles every retailer with a market month stored for the month as the actor,
who needs ``settle_retail_month`` (:func:`~powerretail.workflows.retail.settle_retail_cycle`),
and prints each wholesale statement, user settlement and margin. Exit 0: every retailer settled;
1: some could not be (the reason is printed); 2: bad input.

Actions are added by the functions in :data:`RETAIL_ACTIONS`, each given the ``retail``
sub-parsers (see :func:`retail_subparsers`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.cli._retail_forecast import add_forecast_parser
from powerretail.errors import InvalidInput
from powerretail.repositories.retail import RETAIL_SETTLEMENTS
from powerretail.retail.reference_prices import as_month, month_text
from powerretail.retail.settlement import MonthSettlement
from powerretail.workflows.retail import settle_retail_cycle

__all__ = ["RETAIL_ACTIONS", "add_settle", "format_settlement", "register", "retail_subparsers"]


def _month(value: str) -> str:
    try:
        return month_text(as_month(value, "--month"))
    except InvalidInput:
        raise InvalidInput("--month", value, "a month YYYY-MM") from None


def format_settlement(settled: MonthSettlement) -> str:
    """Return a settled month as text: the wholesale statement, each user, the margin."""
    wholesale = settled.wholesale
    out = [f"retailer {settled.retailer_id}  {settled.month}", "wholesale statement:"]
    for line in wholesale.purchases:
        out.append(
            f"  {line.purchase_id:<10} {line.channel:<20} {line.band:<7} "
            f"{line.energy_kwh} kWh × {line.yuan_per_kwh} = {line.amount.amount}"
        )
    out.append(
        f"  contract {wholesale.contract_kwh} kWh, cost {wholesale.contract_cost.amount}, "
        f"average {wholesale.average_yuan_per_kwh} 元/kWh"
    )
    out.append(f"  deviation: {wholesale.deviation.explanation}")
    out.append("users:")
    for user in settled.users:
        out.append(
            f"  {user.customer_id:<10} {user.package:<22} {user.energy_kwh} kWh "
            f"(allocated {user.allocated_kwh}): revenue {user.revenue.amount} − cost "
            f"{user.wholesale_cost.amount} − deviation {user.deviation_share.amount} "
            f"(+{user.deviation_passed_on.amount} passed on) − refund {user.refund.amount} "
            f"+ adjustments {user.adjustments.amount} = margin {user.margin.amount}"
        )
        out.append(f"      {user.formula}")
    out.append(
        f"margin {settled.margin.amount} = revenue {settled.revenue.amount} + passed on "
        f"{settled.deviation_passed_on.amount} − cost {wholesale.contract_cost.amount} − "
        f"deviation {wholesale.deviation.amount.amount} − refunds {settled.refunds.amount} "
        f"+ adjustments {settled.adjustments.amount}"
    )
    return "\n".join(out)


def _settle(args: Any) -> int:
    month = _month(args.month)
    if not Path(args.store).is_file():
        raise InvalidInput("--store", args.store, "an existing powerretail SQLite file")
    store = SqliteStore(args.store)
    actor = Actor(id=args.actor, name=args.actor, roles={args.role})
    outcomes = settle_retail_cycle(
        store.unit_of_work, month=month, clock=SystemClock(), actor=actor, policy=SEED_POLICY
    )
    if args.format == "json":
        document = [
            {
                "retailer_id": o.retailer_id,
                "settled": o.settlement is not None,
                "problem": o.problem,
                "settlement": None
                if o.settlement is None
                else RETAIL_SETTLEMENTS.encode(o.settlement),
            }
            for o in outcomes
        ]
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        if not outcomes:
            print(f"no retailer has a market month stored for {month}")
        for outcome in outcomes:
            if outcome.settlement is None:
                print(f"retailer {outcome.retailer_id}  {month}: not settled: {outcome.problem}")
            else:
                print(format_settlement(outcome.settlement))
    return 0 if outcomes and all(o.settlement is not None for o in outcomes) else 1


def add_settle(actions: Any) -> None:
    """Add ``retail settle`` to the ``retail`` sub-parsers ``actions``."""
    settle = actions.add_parser("settle", help="settle a month: wholesale, retail, margin")
    settle.add_argument("--store", required=True, help="the powerretail SQLite file")
    settle.add_argument("--month", required=True, help="the month to settle (YYYY-MM)")
    settle.add_argument("--actor", default="retail-settlement", help="who settles (recorded)")
    settle.add_argument(
        "--role",
        default="retail_settlement_officer",
        help="the actor's role (settle_retail_month needs one)",
    )
    settle.add_argument("--format", choices=["text", "json"], default="text", help="output")
    settle.set_defaults(handler=_settle)


#: The functions adding the actions of ``powerretail retail``, each given its sub-parsers.
RETAIL_ACTIONS: Final[tuple[Callable[[Any], None], ...]] = (add_settle, add_forecast_parser)


def retail_subparsers(subparsers: Any) -> Any:
    """Add the ``retail`` command to ``subparsers`` and return its (empty) sub-parsers."""
    retail = subparsers.add_parser("retail", help="the retail company's month (settle, forecast)")
    return retail.add_subparsers(dest="retail_command", metavar="ACTION", required=True)


def register(subparsers: Any) -> None:
    """Add the ``retail`` command with every action of :data:`RETAIL_ACTIONS`."""
    actions = retail_subparsers(subparsers)
    for add in RETAIL_ACTIONS:
        add(actions)
