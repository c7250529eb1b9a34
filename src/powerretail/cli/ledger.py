"""``powerretail ledger``: the trial balance of a SQLite store, or one party's statement.

``ledger --store FILE`` prints every account of the books with its debits, credits and balance
(debits minus credits); the balances sum to zero. ``--account ID`` prints that party's
postings in order (an electricity account, or a supply office for its cash) with each entry,
and its balances. ``--format json`` prints the same as JSON, amounts as text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from powerretail.adapters.sqlite import SqliteStore
from powerretail.collections.ledger import DEFAULT_CHART, AccountBalance, Side, balances_of
from powerretail.errors import InvalidInput
from powerretail.repositories.codec import JsonValue
from powerretail.workflows.ledger import statement_of, trial_balance_of

__all__ = ["register"]


def _balance(balance: AccountBalance) -> dict[str, JsonValue]:
    return {
        "account": balance.account,
        "name": DEFAULT_CHART.account(balance.account).name_zh,
        "debits": str(balance.debits.amount),
        "credits": str(balance.credits.amount),
        "balance": str(balance.amount.amount),
    }


def _print_balances(rows: list[dict[str, JsonValue]]) -> None:
    print(f"  {'account':<24} {'debits':>14} {'credits':>14} {'balance':>14}  name")
    for row in rows:
        print(
            f"  {row['account']!s:<24} {row['debits']!s:>14} {row['credits']!s:>14} "
            f"{row['balance']!s:>14}  {row['name']}"
        )


def _ledger(args: argparse.Namespace) -> int:
    if not Path(args.store).is_file():
        raise InvalidInput("--store", args.store, "an existing powerretail SQLite file")
    store = SqliteStore(args.store)
    try:
        if args.account is None:
            rows = [_balance(b) for b in trial_balance_of(store.unit_of_work)]
            if args.format == "json":
                print(json.dumps({"trial_balance": rows}, ensure_ascii=False, indent=2))
            else:
                print(f"trial balance: {len(rows)} accounts")
                _print_balances(rows)
            return 0
        postings = statement_of(store.unit_of_work, party=args.account)
        if not postings:
            raise InvalidInput("--account", args.account, "a party with postings in the ledger")
        balances = [_balance(b) for b in balances_of(postings, args.account)]
        entries: list[JsonValue] = [
            {
                "sequence": p.sequence,
                "posting_id": p.posting_id,
                "kind": p.kind.value,
                "dated": p.dated.isoformat(),
                "memo": p.memo,
                "entries": [
                    {
                        "account": e.account,
                        "side": e.side.value,
                        "amount": str(e.amount.amount),
                        "document": e.document,
                    }
                    for e in p.entries
                ],
            }
            for p in postings
        ]
        if args.format == "json":
            out = {"party": args.account, "postings": entries, "balances": balances}
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        print(f"statement of {args.account}: {len(postings)} postings")
        for p in postings:
            print(f"  {p.sequence:>4} {p.dated} {p.kind.value:<12} {p.posting_id}  {p.memo}")
            for e in p.entries:
                side, column = ("Dr", 30) if e.side is Side.DEBIT else ("Cr", 46)
                print(f"{'':>{column}}{side} {e.account} {e.amount.amount}")
        _print_balances(balances)
        return 0
    finally:
        store.close()


def register(subparsers: Any) -> None:
    """Add the ``ledger`` command."""
    ledger = subparsers.add_parser(
        "ledger", help="print the trial balance, or a party's statement (double entry)"
    )
    ledger.add_argument("--store", required=True, help="the powerretail SQLite file")
    ledger.add_argument("--account", help="a party (electricity account, office): its statement")
    ledger.add_argument("--format", choices=["text", "json"], default="text", help="output")
    ledger.set_defaults(handler=_ledger)
