"""``powerretail work-orders``: the work orders of a SQLite store, with their clocks.

``work-orders --store FILE`` lists every stored work order (``--open``: only those not verified
or cancelled) with what raised it, its state, when it is due under the seed's limits and
whether it is late (as of ``--as-of``, default now).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from powerretail.cli.outages import open_store, when
from powerretail.repositories.codec import JsonValue
from powerretail.service.work_orders import (
    SEED_WORK_ORDER_LIMITS,
    WorkOrder,
    work_order_breach,
    work_order_clock,
)
from powerretail.timeframe import DEFAULT_TIMEZONE
from powerretail.workflows.work_orders import list_work_orders

__all__ = ["register"]


def _row(order: WorkOrder, as_of: Any) -> dict[str, JsonValue]:
    due = work_order_clock(order).due_at
    breach = work_order_breach(order, as_of=max(as_of, order.created_at))
    return {
        "order_id": order.id,
        "kind": order.kind.value,
        "origin": order.origin.value,
        "subject": order.subject,
        "state": order.state.value,
        "created_at": order.created_at.isoformat(),
        "due_at": None if due is None else due.isoformat(),
        "assignee": order.assignee,
        "source_case_id": order.source_case_id,
        "detail": order.detail,
        "limit": SEED_WORK_ORDER_LIMITS.policy_for(order.kind).source,
        "breach": None if breach is None else breach.explain(),
    }


def _handle(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        orders = list_work_orders(store.unit_of_work, open_only=args.open)
    finally:
        store.close()
    as_of = when(args.as_of)
    rows = [_row(order, as_of) for order in orders]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(rows)} {'open ' if args.open else ''}work orders")
    for order, row in zip(orders, rows, strict=True):
        due = work_order_clock(order).due_at
        shown = "-" if due is None else f"{due.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}"
        print(
            f"{order.id}\n    {order.kind.value}, {order.state.value}, {order.subject}, "
            f"due {shown}{' LATE' if row['breach'] else ''}: {order.detail}"
        )
    return 0


def register(subparsers: Any) -> None:
    """Add the ``work-orders`` command."""
    parser = subparsers.add_parser(
        "work-orders", help="list work orders raised by meter reads, inspections and cases"
    )
    parser.add_argument("--store", required=True, help="the powerretail SQLite file")
    parser.add_argument("--open", action="store_true", help="only those not verified or cancelled")
    parser.add_argument("--as-of", help="when lateness is judged (default now)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output")
    parser.set_defaults(handler=_handle)
