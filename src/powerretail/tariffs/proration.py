"""How a tariff counts the months of a billing period that is not a calendar month.

Read cycles of 29-35 days are the rule outside China, and even a Chinese bill has part months at
move-in and move-out. A tariff declares one :class:`Proration`; fixed charges per month, tier
bounds per month or per year and minimum bills per month are multiplied by the months it counts.

* ``calendar_30`` (the default): whole months from the period's first day, plus 1/30 of a month
  per day left (《供电营业规则》, the part-month basic charge): 15 Jan - 17 Feb = 1 + 2/30.
* ``days_in_month``: each day is 1/(the days of its calendar month): 15 Jan - 17 Feb =
  17/31 + 16/28.
* ``days_over_30``: every day is 1/30 of a month: 15 Jan - 17 Feb = 33/30.
* ``none``: every billing period is one month, whatever its days (a part month at move-in too).

>>> cycle = DateRange("2025-01-15", "2025-02-17")
>>> ", ".join(str(months_of(cycle, p)) for p in Proration)
'16/15, 243/217, 11/10, 1'
"""

from __future__ import annotations

import calendar
import enum
import functools
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from powerretail.errors import InvalidInput
from powerretail.timeframe import DateRange

__all__ = ["Proration", "calendar_months", "months_of"]


class Proration(enum.Enum):
    """The convention counting a period's months (see the module text)."""

    CALENDAR_30 = "calendar_30"
    DAYS_IN_MONTH = "days_in_month"
    DAYS_OVER_30 = "days_over_30"
    NONE = "none"


@functools.lru_cache(maxsize=4096)
def calendar_months(period: DateRange, part_month_days: int = 30) -> Fraction:
    """Return whole months from ``period``'s start, plus 1/``part_month_days`` per day left.

    Raises:
        InvalidInput: ``period`` is open-ended.
    """
    end = period.end
    if end is None:
        raise InvalidInput("period.end", None, "a closed period")
    whole = 0
    while period.start + relativedelta(months=whole + 1) <= end:
        whole += 1
    rest = (end - (period.start + relativedelta(months=whole))).days
    return whole + Fraction(rest, part_month_days)


@functools.lru_cache(maxsize=4096)
def months_of(period: DateRange, proration: Proration) -> Fraction:
    """Return how many months ``period`` counts under ``proration``.

    Raises:
        InvalidInput: ``period`` is open-ended.
    """
    if period.end is None:
        raise InvalidInput("period.end", None, "a closed period")
    if proration is Proration.CALENDAR_30:
        return calendar_months(period)
    if proration is Proration.DAYS_OVER_30:
        return Fraction(period.days, 30)
    if proration is Proration.NONE:
        return Fraction(1)
    total = Fraction(0)
    day = period.start
    while day < period.end:
        length = calendar.monthrange(day.year, day.month)[1]
        following = day.replace(day=1) + relativedelta(months=1)
        stop = min(following, period.end)
        total += Fraction((stop - day).days, length)
        day = stop
    return total
