"""Service reports: SLA attainment, the rolling review, and the backlog with what is due next.

Every figure is computed from the cases' own clocks (:func:`~powerretail.service.cases.
case_clocks` and the hand-off clocks) as of an instant passed in:

* :func:`sla_report` — for one month, how many clocks were on time, breached, paused or still
  running, per kind, channel and area. A clock belongs to the month it was judged in: the month
  it stopped; a clock still running, the month of its due moment once that has passed, else the
  month of ``as_of``; a paused clock, the month of ``as_of``.
* :func:`rolling_review` — the attainment of each of the last months and of each limit, the
  review the seed asks for before limits are reset (定期对服务水平协议的执行及设定情况进行滚动性
  调查和预测).
* :func:`backlog` — the open cases, the clock due soonest first, with how late the breached ones
  are.

>>> from powerretail.service.cases import IntakeChannel, open_case
>>> from powerretail.service.kinds import CaseKind
>>> t = pendulum.datetime(2026, 3, 2, 9, tz="Asia/Shanghai")
>>> case = open_case(case_id="K-1", kind=CaseKind.COMPLAINT, customer_id="C-1",
...     channel=IntakeChannel.HOTLINE, received_by="hotline-7", at=t, subject="no power").case
>>> report = sla_report([case], month=(2026, 3), as_of=t.add(days=10))
>>> report.total.breached, report.total.on_time
(2, 0)

Source: 苏州供电公司大客户管理 5.主要控制点 (SLA 滚动性调查和预测) and 流程说明 5.1.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import attrs
import pendulum

from powerretail.errors import InvalidInput
from powerretail.service.cases import (
    Case,
    CaseClock,
    ClockStatus,
    case_clocks,
    hand_off_clocks,
    next_due,
)
from powerretail.sla.clock import SlaState
from powerretail.sla.policy import elapsed
from powerretail.timeframe import DEFAULT_TIMEZONE, as_instant, timezone

__all__ = [
    "Attainment",
    "BacklogRow",
    "ClockRow",
    "ReviewRow",
    "SlaReport",
    "backlog",
    "clock_rows",
    "rolling_review",
    "sla_report",
]

_PERCENT: Final = Decimal("0.1")


@attrs.frozen(kw_only=True)
class ClockRow:
    """One clock of one case, judged as of an instant."""

    case_id: str
    kind: str
    channel: str
    area: str
    clock: str
    limit: str
    rule_set: str
    status: ClockStatus
    month: tuple[int, int]
    due_at: pendulum.DateTime | None


@attrs.frozen
class Attainment:
    """Counts of clocks by status, and the share on time of those judged (on time + breached)."""

    on_time: int = 0
    breached: int = 0
    paused: int = 0
    running: int = 0

    def __add__(self, other: Attainment) -> Attainment:
        return Attainment(
            self.on_time + other.on_time,
            self.breached + other.breached,
            self.paused + other.paused,
            self.running + other.running,
        )

    @classmethod
    def of(cls, status: ClockStatus) -> Attainment:
        """Return the count of one clock in ``status``."""
        return cls(
            on_time=int(status is ClockStatus.MET),
            breached=int(status is ClockStatus.BREACHED),
            paused=int(status is ClockStatus.PAUSED),
            running=int(status is ClockStatus.RUNNING),
        )

    @property
    def rate_percent(self) -> Decimal | None:
        """On time as a percentage of on time + breached (one decimal), or None when none."""
        judged = self.on_time + self.breached
        if not judged:
            return None
        return (Decimal(100 * self.on_time) / judged).quantize(_PERCENT, rounding=ROUND_HALF_UP)

    def to_dict(self) -> dict[str, object]:
        """The counts as plain data (the rate as a string)."""
        rate = self.rate_percent
        return {
            "on_time": self.on_time,
            "breached": self.breached,
            "paused": self.paused,
            "running": self.running,
            "on_time_percent": None if rate is None else str(rate),
        }


def _month_of(instant: _dt.datetime, zone: str) -> tuple[int, int]:
    local = as_instant(instant).in_timezone(timezone(zone))
    return (local.year, local.month)


def _judged_month(clock: CaseClock, as_of: pendulum.DateTime, zone: str) -> tuple[int, int]:
    sla = clock.clock
    assert sla is not None  # only started clocks are judged
    if sla.stopped_at is not None:
        return _month_of(sla.stopped_at, zone)
    if sla.state is SlaState.RUNNING and sla.due_at is not None and sla.due_at < as_of:
        return _month_of(sla.due_at, zone)
    return _month_of(as_of, zone)


def clock_rows(
    cases: Iterable[Case], *, as_of: _dt.datetime, zone: str = DEFAULT_TIMEZONE
) -> tuple[ClockRow, ...]:
    """Return every clock of ``cases`` (hand-offs included) started by ``as_of``, judged then."""
    moment = as_instant(as_of, "as_of")
    rows: list[ClockRow] = []
    for case in cases:
        judged = (
            *((clock, clock.name) for clock in case_clocks(case)),
            *((clock, "hand-off") for clock in hand_off_clocks(case)),  # one row per owner change
        )
        for clock, name in judged:
            if clock.clock is None or clock.policy is None or clock.clock.started_at > moment:
                continue  # no limit, not started, or started after ``as_of``
            status = clock.status(moment)
            assert status is not None  # a started clock with a limit always has one
            rows.append(
                ClockRow(
                    case_id=case.id,
                    kind=case.kind.value,
                    channel=case.channel.value,
                    area=case.area.value,
                    clock=name,
                    limit=f"{clock.policy.limit} {clock.policy.unit.value}",
                    rule_set=clock.policy.rule_set,
                    status=status,
                    month=_judged_month(clock, moment, zone),
                    due_at=clock.clock.due_at,
                )
            )
    return tuple(rows)


def _month(value: tuple[int, int]) -> tuple[int, int]:
    year, month = value
    if not 1 <= month <= 12:
        raise InvalidInput("month", value, "(year, month) with a month from 1 to 12")
    return (year, month)


def _grouped(rows: Iterable[ClockRow], field: str) -> dict[str, Attainment]:
    found: dict[str, Attainment] = {}
    for row in rows:
        key = str(getattr(row, field))
        found[key] = found.get(key, Attainment()) + Attainment.of(row.status)
    return dict(sorted(found.items()))


@attrs.frozen(kw_only=True)
class SlaReport:
    """SLA attainment in one month: in total, and per kind, channel, area and clock."""

    month: tuple[int, int]
    total: Attainment
    by_kind: Mapping[str, Attainment]
    by_channel: Mapping[str, Attainment]
    by_area: Mapping[str, Attainment]
    by_clock: Mapping[str, Attainment]

    def to_dict(self) -> dict[str, object]:
        """The report as plain data, for JSON."""
        year, month = self.month
        return {
            "month": f"{year:04d}-{month:02d}",
            "total": self.total.to_dict(),
            **{
                name: {key: value.to_dict() for key, value in table.items()}
                for name, table in (
                    ("by_kind", self.by_kind),
                    ("by_channel", self.by_channel),
                    ("by_area", self.by_area),
                    ("by_clock", self.by_clock),
                )
            },
        }


def sla_report(
    cases: Iterable[Case],
    *,
    month: tuple[int, int],
    as_of: _dt.datetime,
    zone: str = DEFAULT_TIMEZONE,
) -> SlaReport:
    """Return the SLA attainment of ``month`` as of ``as_of``.

    Raises:
        InvalidInput: the month is not 1-12, or ``as_of`` is naive.
    """
    wanted = _month(month)
    rows = [row for row in clock_rows(cases, as_of=as_of, zone=zone) if row.month == wanted]
    total = sum((Attainment.of(row.status) for row in rows), Attainment())
    return SlaReport(
        month=wanted,
        total=total,
        by_kind=_grouped(rows, "kind"),
        by_channel=_grouped(rows, "channel"),
        by_area=_grouped(rows, "area"),
        by_clock=_grouped(rows, "clock"),
    )


@attrs.frozen(kw_only=True)
class ReviewRow:
    """One line of the rolling review: a month or a limit, and its attainment."""

    label: str
    attainment: Attainment


def _months_back(month: tuple[int, int], count: int) -> list[tuple[int, int]]:
    year, number = month
    found = []
    for back in range(count - 1, -1, -1):
        index = year * 12 + (number - 1) - back
        found.append((index // 12, index % 12 + 1))
    return found


def rolling_review(
    cases: Iterable[Case],
    *,
    as_of: _dt.datetime,
    months: int = 3,
    zone: str = DEFAULT_TIMEZONE,
) -> tuple[tuple[ReviewRow, ...], tuple[ReviewRow, ...]]:
    """Return the attainment of each of the last ``months`` months (to ``as_of``'s month), and
    of each limit (clock and rule set) over them, the limit most often breached first.

    Raises:
        InvalidInput: ``months`` is below 1.
    """
    if months < 1:
        raise InvalidInput("months", months, "at least 1")
    moment = as_instant(as_of, "as_of")
    window = _months_back(_month_of(moment, zone), months)
    rows = [row for row in clock_rows(cases, as_of=moment, zone=zone) if row.month in window]
    by_month = [
        ReviewRow(
            label=f"{year:04d}-{number:02d}",
            attainment=sum(
                (Attainment.of(r.status) for r in rows if r.month == (year, number)), Attainment()
            ),
        )
        for year, number in window
    ]
    limits: dict[str, Attainment] = {}
    for row in rows:
        key = f"{row.kind} {row.clock} ({row.limit}, {row.rule_set})"
        limits[key] = limits.get(key, Attainment()) + Attainment.of(row.status)
    by_limit = sorted(
        (ReviewRow(label=key, attainment=value) for key, value in limits.items()),
        key=lambda r: (-r.attainment.breached, r.label),
    )
    return tuple(by_month), tuple(by_limit)


@attrs.frozen(kw_only=True)
class BacklogRow:
    """An open case and its clock due soonest (None: nothing runs, e.g. waiting on the customer)."""

    case_id: str
    kind: str
    customer_id: str
    owner: str
    state: str
    next_clock: str | None
    due_at: pendulum.DateTime | None
    overdue_by: timedelta | None
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The row as plain data, for JSON."""
        return {
            "case_id": self.case_id,
            "kind": self.kind,
            "customer_id": self.customer_id,
            "owner": self.owner,
            "state": self.state,
            "next_clock": self.next_clock,
            "due_at": None if self.due_at is None else self.due_at.isoformat(),
            "overdue_minutes": None
            if self.overdue_by is None
            else int(self.overdue_by.total_seconds() // 60),
            "problems": list(self.problems),
        }


def backlog(
    cases: Iterable[Case],
    *,
    as_of: _dt.datetime,
    due_before: date | None = None,
    breached_only: bool = False,
    zone: str = DEFAULT_TIMEZONE,
) -> tuple[BacklogRow, ...]:
    """Return the cases open as of ``as_of``, the soonest due first (cases with nothing due last).

    A case is listed by its state now; one opened after ``as_of`` is left out.

    ``due_before`` keeps the cases whose next clock is due before that local date;
    ``breached_only`` those with a clock past due. A clock whose due moment cannot be counted
    yet (a year the calendar does not cover) is named in the row's ``problems``.
    """
    moment = as_instant(as_of, "as_of")
    rows: list[BacklogRow] = []
    for case in cases:
        if case.is_closed or case.opened_at > moment:
            continue
        due = next_due(case, moment)
        overdue = None if due is None or due[1] >= moment else elapsed(moment, due[1])
        if breached_only and overdue is None:
            continue
        if due_before is not None and (
            due is None or due[1].in_timezone(timezone(zone)).date() >= due_before
        ):
            continue
        rows.append(
            BacklogRow(
                case_id=case.id,
                kind=case.kind.value,
                customer_id=str(case.customer_id),
                owner=case.owner,
                state=case.state.value,
                next_clock=None if due is None else due[0],
                due_at=None if due is None else due[1],
                overdue_by=overdue,
                problems=tuple(
                    f"{clock.name}: {clock.problem}" for clock in case_clocks(case) if clock.problem
                ),
            )
        )
    far = pendulum.datetime(9999, 1, 1, tz="UTC")
    return tuple(sorted(rows, key=lambda r: (r.due_at or far, r.case_id)))
