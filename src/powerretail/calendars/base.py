"""The business-calendar protocol, working-day arithmetic and the plain weekend calendar.

A :class:`BusinessCalendar` answers one question — is this date a working day? — and raises
:class:`CalendarYearNotCovered` for a date it has no data for (it never guesses). Everything else
is arithmetic on top of that answer, shared by every calendar:

* :func:`add_working_days` — the *n*-th working day **after** a date (day 1 is the first working
  day after ``start``; ``start`` itself is never counted);
* :func:`count_working_days` — working days in the half-open range ``[start, end)``;
* :func:`next_working_day` / :func:`previous_working_day` — strictly after / before a date.

Adding and counting are inverse to each other: the working days counted in
``[start + 1 day, add_working_days(start, n) + 1 day)`` are exactly ``n``.

>>> weekend = WeekendCalendar()
>>> add_working_days(weekend, date(2025, 9, 26), 1)  # a Friday: day 1 is Monday
datetime.date(2025, 9, 29)
>>> count_working_days(weekend, date(2025, 9, 22), date(2025, 9, 29))
5
>>> next_working_day(weekend, date(2025, 9, 27)), previous_working_day(weekend, date(2025, 9, 29))
(datetime.date(2025, 9, 29), datetime.date(2025, 9, 26))
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Protocol, runtime_checkable

import attrs

from powerretail.errors import InvalidInput, NotFound
from powerretail.timeframe import as_date

__all__ = [
    "MAX_DAYS_WITHOUT_WORK",
    "BusinessCalendar",
    "CalendarYearNotCovered",
    "WeekendCalendar",
    "add_working_days",
    "count_working_days",
    "next_working_day",
    "previous_working_day",
]

#: How many consecutive days without a working day a calendar may have before the arithmetic
#: refuses it as broken (no real calendar comes close: the longest Chinese break is 10 days).
MAX_DAYS_WITHOUT_WORK: Final = 366

_ONE_DAY: Final = timedelta(days=1)


class CalendarYearNotCovered(NotFound):
    """A calendar was asked about a year it holds no data for; it refuses to guess.

    Attributes:
        calendar: the calendar's name.
        year: the year asked about.
        covered: the years the calendar does hold, in order.
    """

    def __init__(self, calendar: str, year: int, covered: tuple[int, ...]) -> None:
        super().__init__(f"{calendar} holiday schedule for the year", year)
        self.calendar = calendar
        self.year = year
        self.covered = covered

    def __str__(self) -> str:
        return (
            f"{self.calendar}: no holiday schedule for {self.year}; it covers "
            f"{_describe_years(self.covered)}. Add the year's official notice with "
            "with_year() rather than guessing"
        )


def _describe_years(years: tuple[int, ...]) -> str:
    """Return ``years`` as runs: ``2004–2026`` or ``2004–2026, 2028``."""
    if not years:
        return "no year"
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


@runtime_checkable
class BusinessCalendar(Protocol):
    """A calendar of working days.

    Implementations must be pure (the same date always gives the same answer) and must raise
    :class:`CalendarYearNotCovered` (or another :class:`~powerretail.errors.NotFound`) for a
    date they hold no data for, rather than guess.
    """

    @property
    def name(self) -> str:
        """A short name for messages (``"CN mainland"``)."""
        ...

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day.

        Raises:
            CalendarYearNotCovered: the calendar holds no data for ``day``'s year.
        """
        ...


@attrs.frozen
class WeekendCalendar:
    """Monday to Friday are working days, Saturday and Sunday are not, in any year.

    >>> WeekendCalendar().is_working_day(date(2025, 10, 1))  # a Wednesday: no holidays here
    True
    """

    name: str = "weekends only"

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` falls Monday to Friday."""
        return as_date(day, "day").weekday() < 5


def _whole_number(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, value, "a whole number (int)")
    return value


def _step(calendar: BusinessCalendar, day: date, direction: int) -> date:
    """Return the first working day strictly after (``direction=1``) or before (``-1``) ``day``."""
    cursor = day
    for _ in range(MAX_DAYS_WITHOUT_WORK):
        try:
            cursor = cursor + timedelta(days=direction)
        except OverflowError:
            raise InvalidInput(
                "day", day, "a date with a working day between date.min and date.max"
            ) from None
        if calendar.is_working_day(cursor):
            return cursor
    raise InvalidInput(
        "calendar",
        calendar.name,
        f"a calendar with a working day within {MAX_DAYS_WITHOUT_WORK} days of {day}",
    )


def next_working_day(calendar: BusinessCalendar, day: date) -> date:
    """Return the first working day strictly after ``day``.

    Raises:
        CalendarYearNotCovered: the search reaches a year the calendar has no data for.
    """
    return _step(calendar, as_date(day, "day"), 1)


def previous_working_day(calendar: BusinessCalendar, day: date) -> date:
    """Return the last working day strictly before ``day``.

    Raises:
        CalendarYearNotCovered: the search reaches a year the calendar has no data for.
    """
    return _step(calendar, as_date(day, "day"), -1)


def add_working_days(calendar: BusinessCalendar, start: date, days: int) -> date:
    """Return the ``days``-th working day after ``start`` (before it when ``days`` is negative).

    Day 1 is the first working day strictly after ``start``, whether or not ``start`` is itself
    a working day: "within 5 working days of acceptance on Tuesday 30 September 2025" ends on
    the 5th working day after 30 September. ``days=0`` returns ``start`` unchanged. For the
    other convention (the start day counts as day 1 when it is a working day) add from the day
    before: ``add_working_days(calendar, start - timedelta(days=1), days)``.

    Raises:
        InvalidInput: ``days`` is not a whole number.
        CalendarYearNotCovered: the count runs into a year the calendar has no data for
            (2026-12-28 plus 5 working days needs 2027).
    """
    cursor = as_date(start, "start")
    count = _whole_number(days, "days")
    direction = 1 if count > 0 else -1
    for _ in range(abs(count)):
        cursor = _step(calendar, cursor, direction)
    return cursor


def count_working_days(calendar: BusinessCalendar, start: date, end: date) -> int:
    """Return how many working days lie in the half-open range ``[start, end)``.

    ``start`` is counted when it is a working day, ``end`` never is; ``start == end`` gives 0.

    Raises:
        InvalidInput: ``end`` is before ``start``.
        CalendarYearNotCovered: the range touches a year the calendar has no data for.
    """
    first = as_date(start, "start")
    stop = as_date(end, "end")
    if stop < first:
        raise InvalidInput("end", stop, f"a date on or after start ({first})")
    total = 0
    cursor = first
    while cursor < stop:
        if calendar.is_working_day(cursor):
            total += 1
        cursor += _ONE_DAY
    return total
