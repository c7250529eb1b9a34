"""How breach-of-use rules count months: part months, and durations nobody knows the start of.

The liquidated charges of 《供电营业规则》(1996) 第100条 for extra capacity (item 2) and for
using suspended or sealed equipment (item 4) are counted "per month"; the back charge of a
category misuse (item 1) whose start is unknown covers "three months". Practice counts both
with 30-day months, as the part-month basic charge does (1/30 of a month a day). The convention
is a named choice, stated on the document:

* :class:`MonthCount` — how the months of a known period of use are counted:
  ``WHOLE_MONTHS_AND_DAYS`` (default: whole calendar months from the first day, then 1/30 of a
  month a day) or ``DAYS_OVER_30`` (every day 1/30 of a month);
* :class:`UnknownDuration` — how "n months" back from the discovery day is counted:
  ``THIRTY_DAY_MONTHS`` (default: n × 30 days) or ``CALENDAR_MONTHS`` (the same day n calendar
  months before).

>>> used = DateRange("2025-03-11", "2025-06-21")
>>> months_used(used), months_used(used, MonthCount.DAYS_OVER_30)
(Fraction(10, 3), Fraction(17, 5))
>>> found = date(2025, 5, 31)
>>> unknown_start(found, 3), unknown_start(found, 3, UnknownDuration.CALENDAR_MONTHS)
(datetime.date(2025, 3, 2), datetime.date(2025, 2, 28))
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from powerretail.billing.engine import months_in
from powerretail.errors import InvalidInput
from powerretail.timeframe import DateRange

__all__ = ["MonthCount", "UnknownDuration", "months_used", "unknown_start"]


class MonthCount(enum.Enum):
    """How the months of a known period of use are counted."""

    #: Whole calendar months from the first day, then 1/30 of a month for each day left.
    WHOLE_MONTHS_AND_DAYS = "whole_months_and_days"
    #: Every day is 1/30 of a month.
    DAYS_OVER_30 = "days_over_30"

    @property
    def text(self) -> str:
        """The convention in words, for the document's facts."""
        if self is MonthCount.WHOLE_MONTHS_AND_DAYS:
            return "whole calendar months from the first day, then 1/30 of a month a day"
        return "every day 1/30 of a month"


class UnknownDuration(enum.Enum):
    """How "n months" back from the day a breach is found is counted when its start is unknown."""

    #: n × 30 days.
    THIRTY_DAY_MONTHS = "thirty_day_months"
    #: The same day n calendar months before (the end of the month when it has no such day).
    CALENDAR_MONTHS = "calendar_months"

    def text(self, months: int) -> str:
        """The convention in words, for the document's facts."""
        if self is UnknownDuration.THIRTY_DAY_MONTHS:
            return f"{months} months of 30 days"
        return f"{months} calendar months"


def months_used(used: DateRange, count: MonthCount = MonthCount.WHOLE_MONTHS_AND_DAYS) -> Fraction:
    """Return the months of ``used`` (half-open: its end is the first day not used).

    Raises:
        InvalidInput: an open period.
    """
    if used.end is None:
        raise InvalidInput("used", str(used), "a closed period of use")
    if count is MonthCount.DAYS_OVER_30:
        return Fraction(used.days, 30)
    return months_in(used)


def unknown_start(
    discovered_on: date,
    months: int,
    duration: UnknownDuration = UnknownDuration.THIRTY_DAY_MONTHS,
) -> date:
    """Return the first day of an unknown duration of ``months`` months up to ``discovered_on``."""
    if duration is UnknownDuration.THIRTY_DAY_MONTHS:
        return discovered_on - timedelta(days=30 * months)
    return discovered_on - relativedelta(months=months)
