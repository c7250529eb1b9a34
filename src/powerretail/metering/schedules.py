"""Reading schedules: reading cycles and routes as data, and the large-customer weekly check.

A :class:`ReadingCycle` says when a meter is read (monthly on a reading day 例日, every two months,
or weekly on a weekday); a :class:`Route` is an ordered list of meters read together on a cycle;
a :class:`ReadingSchedule` lists the reads due in a period. Large customers (the seed's 一般大客户,
decided by :func:`powerretail.customers.tiering.classify_large_customer`) are read and checked
weekly (:func:`weekly_check_route`).

>>> cycle = ReadingCycle(code="M25", frequency=Frequency.MONTHLY, day_of_month=25,
...                      anchor=date(2025, 1, 25))
>>> print(*cycle.read_dates(DateRange(date(2025, 1, 1), date(2025, 4, 1))))
2025-01-25 2025-02-25 2025-03-25

Source: 《供电营业规则》 (reading on the set day; rescheduling needs notice); SEED
供电所大客户维护与管理办法 第七条 (large customers, weekly check).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.timeframe import DateRange, as_date

__all__ = [
    "Frequency",
    "ReadingCycle",
    "ReadingSchedule",
    "Route",
    "ScheduledRead",
    "weekly_check_route",
]


class Frequency(enum.Enum):
    """How often a cycle reads."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"


def _anchor(value: object) -> date:
    return as_date(value, "anchor")


@attrs.frozen(kw_only=True)
class ReadingCycle:
    """When meters on this cycle are read.

    Monthly and bimonthly cycles read on ``day_of_month`` (clamped to the month's last day),
    counted from ``anchor``'s month; weekly cycles read on ``anchor``'s weekday, every 7 days.

    Raises:
        InvalidInput: a blank code, a monthly cycle without a reading day 1-31.
    """

    code: str
    frequency: Frequency
    anchor: date = attrs.field(converter=_anchor)
    day_of_month: int | None = None

    def __attrs_post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidInput("cycle.code", self.code, "a non-blank code")
        if self.frequency is not Frequency.WEEKLY:
            day = self.day_of_month
            if day is None or isinstance(day, bool) or not 1 <= day <= 31:
                raise InvalidInput("cycle.day_of_month", day, "a reading day 1-31")

    def read_dates(self, period: DateRange) -> tuple[date, ...]:
        """Return the reading dates of this cycle inside ``period`` (half-open), in order.

        Raises:
            InvalidInput: ``period`` has no end.
        """
        end = period.end
        if end is None:
            raise InvalidInput("period.end", None, "a closed period to list reading dates in")
        if self.frequency is Frequency.WEEKLY:
            offset = (period.start - self.anchor).days % 7
            day = period.start + timedelta(days=(7 - offset) % 7)
            days = []
            while day < end:
                days.append(day)
                day += timedelta(days=7)
            return tuple(days)
        step = 1 if self.frequency is Frequency.MONTHLY else 2
        first = date(self.anchor.year, self.anchor.month, 1)
        found = []
        months = 0
        while True:
            month_start = first + relativedelta(months=months)
            if month_start >= end:
                break
            day = month_start + relativedelta(day=self.day_of_month)
            if day in period:
                found.append(day)
            months += step
        return tuple(found)


def _meters(value: Iterable[str]) -> tuple[MeterId, ...]:
    meters = tuple(MeterId(m) for m in value)
    if len(set(meters)) != len(meters):
        raise InvalidInput("route.meters", list(meters), "each meter once on a route")
    return meters


@attrs.frozen(kw_only=True)
class Route:
    """An ordered list of meters read together on one cycle (抄表路径), and who reads it."""

    code: str
    cycle: ReadingCycle
    meters: tuple[MeterId, ...] = attrs.field(converter=_meters)
    reader: str | None = None


@attrs.frozen(kw_only=True, order=True)
class ScheduledRead:
    """A read due: on ``day``, meter ``meter_id``, position ``stop`` of route ``route``."""

    day: date
    route: str
    stop: int
    meter_id: MeterId


@attrs.frozen
class ReadingSchedule:
    """Every route; which reads fall due in a period.

    Raises:
        InvalidInput: two routes with one code.
    """

    routes: tuple[Route, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        codes = [route.code for route in self.routes]
        if len(set(codes)) != len(codes):
            raise InvalidInput("routes", codes, "unique route codes")

    def due(self, period: DateRange) -> tuple[ScheduledRead, ...]:
        """Return the reads due in ``period``, by day, then route, then stop."""
        return tuple(
            sorted(
                ScheduledRead(day=day, route=route.code, stop=stop, meter_id=meter)
                for route in self.routes
                for day in route.cycle.read_dates(period)
                for stop, meter in enumerate(route.meters, start=1)
            )
        )


def weekly_check_route(
    *, code: str, meters: Iterable[str], weekday_anchor: date, reader: str | None = None
) -> Route:
    """Return the weekly read-and-check route of the large customers' ``meters``.

    ``weekday_anchor`` is any date on the weekday of the check.
    """
    cycle = ReadingCycle(code=f"{code}-weekly", frequency=Frequency.WEEKLY, anchor=weekday_anchor)
    return Route(code=code, cycle=cycle, meters=meters, reader=reader)
