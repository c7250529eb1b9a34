"""Invariants of working-day arithmetic (issue 2: adding then counting gives back N)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, example, given
from hypothesis import strategies as st

from powerretail.calendars.base import (
    BusinessCalendar,
    add_working_days,
    count_working_days,
    next_working_day,
    previous_working_day,
)
from tests.strategies.calendars import (
    CHINA,
    WEEKEND,
    calendar_and_date,
    weekend_dates,
    working_day_counts,
)

ONE_DAY = timedelta(days=1)


@given(pair=calendar_and_date, days=working_day_counts)
@example(pair=(CHINA, date(2025, 9, 30)), days=5)
@example(pair=(CHINA, date(2025, 1, 20)), days=22)
def test_counting_after_adding_gives_back_the_days_added(
    pair: tuple[BusinessCalendar, date], days: int
) -> None:
    calendar, start = pair

    due = add_working_days(calendar, start, days)

    assert count_working_days(calendar, start + ONE_DAY, due + ONE_DAY) == days
    assert days == 0 or calendar.is_working_day(due)


@given(pair=calendar_and_date, days=working_day_counts)
def test_subtracting_undoes_adding_from_a_working_day(
    pair: tuple[BusinessCalendar, date], days: int
) -> None:
    calendar, start = pair
    working_start = next_working_day(calendar, start)

    there = add_working_days(calendar, working_start, days)

    assert add_working_days(calendar, there, -days) == working_start


@given(pair=calendar_and_date)
@example(pair=(CHINA, date(2025, 9, 30)))
def test_the_next_working_day_is_the_first_working_day_after(
    pair: tuple[BusinessCalendar, date],
) -> None:
    calendar, day = pair

    following = next_working_day(calendar, day)

    assert calendar.is_working_day(following)
    assert count_working_days(calendar, day + ONE_DAY, following) == 0


@given(pair=calendar_and_date)
@example(pair=(CHINA, date(2025, 10, 9)))
def test_the_previous_working_day_is_the_last_working_day_before(
    pair: tuple[BusinessCalendar, date],
) -> None:
    calendar, day = pair
    assume(calendar is not CHINA or day >= date(2004, 1, 15))

    before = previous_working_day(calendar, day)

    assert calendar.is_working_day(before)
    assert count_working_days(calendar, before + ONE_DAY, day) == 0


@given(start=weekend_dates)
def test_any_seven_days_of_the_weekend_calendar_hold_five_working_days(start: date) -> None:
    assert count_working_days(WEEKEND, start, start + timedelta(days=7)) == 5


@given(pair=calendar_and_date, lengths=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_counts_over_adjacent_ranges_add_up(
    pair: tuple[BusinessCalendar, date], lengths: tuple[int, int]
) -> None:
    calendar, start = pair
    middle = start + timedelta(days=lengths[0])
    end = middle + timedelta(days=lengths[1])

    whole = count_working_days(calendar, start, end)

    assert whole == count_working_days(calendar, start, middle) + count_working_days(
        calendar, middle, end
    )
