"""``powerretail outages``: the outages of a SQLite store with their notice status.

``outages --store FILE`` lists every stored outage (planned or temporary) with its window, when
the notices to key and important customers were due, who was notified on time, late or not at
all, and every breach (:func:`~powerretail.workflows.outages.outage_statuses`) as of
``--as-of`` (default now).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from pathlib import Path
from typing import Any

import pendulum
import pendulum.parsing.exceptions

from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import InvalidInput
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant
from powerretail.workflows.outages import outage_statuses

__all__ = ["open_store", "register", "when"]


def open_store(path: str) -> SqliteStore:
    """Open an existing store file, or refuse naming the path."""
    if not Path(path).is_file():
        raise InvalidInput("--store", path, "an existing powerretail SQLite file")
    return SqliteStore(path)


def when(value: str | None) -> _dt.datetime:
    """``--as-of``: an ISO date or instant (a date is its local midnight), default now."""
    if value is None:
        return SystemClock().now()
    expected = f"a date or time YYYY-MM-DD[THH:MM] ({DEFAULT_TIMEZONE})"
    try:
        parsed = pendulum.parse(value, tz=DEFAULT_TIMEZONE)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise InvalidInput("--as-of", value, expected) from None
    if not isinstance(parsed, pendulum.DateTime):
        raise InvalidInput("--as-of", value, expected)
    return as_instant(parsed, "--as-of")


def _handle(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        statuses = outage_statuses(store.unit_of_work, as_of=when(args.as_of))
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([s.to_dict() for s in statuses], ensure_ascii=False, indent=2))
        return 0
    print(f"{len(statuses)} outages")
    for status in statuses:
        outage = status.outage
        local = outage.window_start.in_timezone(DEFAULT_TIMEZONE)
        print(
            f"{outage.id}  {outage.kind.value:<9} {outage.state.value:<11} "
            f"{local:%Y-%m-%d %H:%M}-{outage.window_end.in_timezone(DEFAULT_TIMEZONE):%H:%M}  "
            f"{outage.feeder} / {outage.area}  notices: {status.notice_status} "
            f"(due {status.notice_due.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}, "
            f"{outage.rules})"
        )
        for customer in outage.key_customers:
            notice = outage.first_notice(customer.customer_id)
            said = (
                "not notified"
                if notice is None
                else f"notified {notice.at.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M} by "
                f"{notice.channel.name.lower()}"
            )
            print(f"    {customer.customer_id} ({customer.why}): {said}")
        for breach in status.breaches:
            print(f"    breach: {breach.explain()}")
        if status.call_back_due is not None:
            print(f"    call-back due {status.call_back_due.in_timezone(DEFAULT_TIMEZONE)}")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``outages`` command."""
    parser = subparsers.add_parser(
        "outages", help="list planned and temporary outages with their notice status"
    )
    parser.add_argument("--store", required=True, help="the powerretail SQLite file")
    parser.add_argument("--as-of", help="when breaches are judged (default now)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output")
    parser.set_defaults(handler=_handle)
