"""``powerretail cases`` and ``powerretail sla report``: service cases on a SQLite store.

``cases --store FILE`` prints the backlog: every open case, the clock due soonest first, with
how late the breached ones are (``--due-before DATE`` keeps those due before a day,
``--breached`` those past due). ``sla report --store FILE --month YYYY-MM`` prints the month's
SLA attainment per kind, channel, area and clock, and the rolling review of the three months to
it. Both judge the clocks as of now (``--as-of`` another instant); the report as of the end of
the month when that is earlier. ``--format json`` prints the same as data.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pendulum

from powerretail.adapters.clocks import SystemClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import InvalidInput
from powerretail.repositories.service import SERVICE_CASES
from powerretail.service.cases import Case
from powerretail.service.reports import Attainment, backlog, rolling_review, sla_report
from powerretail.timeframe import DEFAULT_TIMEZONE

__all__ = ["register"]


def _store(path: str) -> SqliteStore:
    if not Path(path).is_file():
        raise InvalidInput("--store", path, "an existing powerretail SQLite file")
    return SqliteStore(path)


def _cases(path: str) -> list[Case]:
    store = _store(path)
    try:
        with store.unit_of_work() as uow:
            return [v.entity.case_with_history() for v in uow.repository(SERVICE_CASES).query()]
    finally:
        store.close()


def _as_of(value: str | None) -> pendulum.DateTime:
    if value is None:
        return SystemClock().now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("--as-of", value, "a date or date-time (YYYY-MM-DD[THH:MM])") from None
    if parsed.tzinfo is None:
        return pendulum.instance(parsed, tz=DEFAULT_TIMEZONE)
    return pendulum.instance(parsed)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("--due-before", value, "a date YYYY-MM-DD") from None


def _month(value: str) -> tuple[int, int]:
    try:
        parsed = datetime.strptime(value, "%Y-%m")  # noqa: DTZ007 - a month, no time of day
    except ValueError:
        raise InvalidInput("--month", value, "a month YYYY-MM") from None
    return (parsed.year, parsed.month)


def _cases_command(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)
    rows = backlog(
        _cases(args.store),
        as_of=as_of,
        due_before=_day(args.due_before),
        breached_only=args.breached,
    )
    if args.format == "json":
        data = {"as_of": as_of.isoformat(), "cases": [row.to_dict() for row in rows]}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"open cases as of {as_of.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}: {len(rows)}")
    print(f"  {'case':<12} {'kind':<13} {'state':<20} {'owner':<14} {'next':<28} due")
    for row in rows:
        due = (
            "-"
            if row.due_at is None
            else f"{row.due_at.in_timezone(DEFAULT_TIMEZONE):%Y-%m-%d %H:%M}"
        )
        if row.overdue_by is not None:
            due += f"  BREACHED by {_span(row.overdue_by)}"
        print(
            f"  {row.case_id:<12} {row.kind:<13} {row.state:<20} {row.owner:<14} "
            f"{row.next_clock or '-':<28} {due}"
        )
        for problem in row.problems:
            print(f"    ! {problem}")
    return 0


def _span(late: timedelta) -> str:
    minutes = int(late.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    return f"{days}d {rest // 60:02d}:{rest % 60:02d}"


def _line(label: str, value: Attainment) -> str:
    rate = value.rate_percent
    shown = "-" if rate is None else f"{rate}%"
    return (
        f"  {label:<40} on time {value.on_time:>3}  breached {value.breached:>3}  "
        f"paused {value.paused:>3}  running {value.running:>3}  {shown}"
    )


def _sla_command(args: argparse.Namespace) -> int:
    year, number = _month(args.month)
    end = pendulum.datetime(year, number, 1, tz=DEFAULT_TIMEZONE).add(months=1)
    as_of = min(_as_of(args.as_of), end)
    cases = _cases(args.store)
    report = sla_report(cases, month=(year, number), as_of=as_of)
    months, limits = rolling_review(cases, as_of=as_of.subtract(microseconds=1), months=3)
    if args.format == "json":
        data = {
            **report.to_dict(),
            "as_of": as_of.isoformat(),
            "review": {
                "months": {row.label: row.attainment.to_dict() for row in months},
                "limits": {row.label: row.attainment.to_dict() for row in limits},
            },
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    shown = as_of.in_timezone(DEFAULT_TIMEZONE)
    print(f"SLA attainment {year:04d}-{number:02d} (as of {shown:%Y-%m-%d %H:%M})")
    print(_line("all clocks", report.total))
    for title, table in (
        ("kind", report.by_kind),
        ("channel", report.by_channel),
        ("area", report.by_area),
        ("clock", report.by_clock),
    ):
        print(f"by {title}:")
        for key, value in table.items():
            print(_line(key, value))
    print("rolling review, by month:")
    for row in months:
        print(_line(row.label, row.attainment))
    print("rolling review, by limit (most breached first):")
    for row in limits:
        print(_line(row.label, row.attainment))
    return 0


def register(subparsers: Any) -> None:
    """Add the ``cases`` and ``sla`` commands."""
    cases = subparsers.add_parser("cases", help="list open service cases, the soonest due first")
    cases.add_argument("--store", required=True, help="the powerretail SQLite file")
    cases.add_argument("--due-before", help="only cases whose next clock is due before this day")
    cases.add_argument("--breached", action="store_true", help="only cases with a clock past due")
    cases.add_argument("--as-of", help="judge the clocks as of this instant (default now)")
    cases.add_argument("--format", choices=["text", "json"], default="text", help="output")
    cases.set_defaults(handler=_cases_command)

    sla = subparsers.add_parser("sla", help="service time limits (SLA) on the store's cases")
    actions = sla.add_subparsers(dest="sla_command", metavar="ACTION", required=True)
    report = actions.add_parser("report", help="SLA attainment of a month and the rolling review")
    report.add_argument("--store", required=True, help="the powerretail SQLite file")
    report.add_argument("--month", required=True, help="the month (YYYY-MM)")
    report.add_argument("--as-of", help="judge the clocks as of this instant (default now)")
    report.add_argument("--format", choices=["text", "json"], default="text", help="output")
    report.set_defaults(handler=_sla_command)
