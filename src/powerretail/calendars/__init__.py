"""Business calendars: which dates are working days, and arithmetic on working days.

* :mod:`powerretail.calendars.base` — the :class:`BusinessCalendar` protocol, working-day
  arithmetic (add, count, next, previous) and the plain :class:`WeekendCalendar`;
* :mod:`powerretail.calendars.china` — the mainland-China calendar with statutory holidays and
  make-up working days (调休) for 2004–2026 as versioned data, extensible by the embedder.

A calendar never guesses: a year it has no data for raises
:class:`~powerretail.calendars.base.CalendarYearNotCovered`.
"""

from __future__ import annotations

from powerretail.calendars.base import (
    BusinessCalendar,
    CalendarYearNotCovered,
    WeekendCalendar,
    add_working_days,
    count_working_days,
    next_working_day,
    previous_working_day,
)
from powerretail.calendars.china import (
    ChinaMainlandCalendar,
    NamedDay,
    YearSchedule,
    parse_year_schedule,
)

__all__ = [
    "BusinessCalendar",
    "CalendarYearNotCovered",
    "ChinaMainlandCalendar",
    "NamedDay",
    "WeekendCalendar",
    "YearSchedule",
    "add_working_days",
    "count_working_days",
    "next_working_day",
    "parse_year_schedule",
    "previous_working_day",
]
