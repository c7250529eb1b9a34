"""Working-day arithmetic and the weekend calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest

from powerretail.calendars.base import (
    MAX_DAYS_WITHOUT_WORK,
    BusinessCalendar,
    CalendarYearNotCovered,
    WeekendCalendar,
    add_working_days,
    count_working_days,
    next_working_day,
    previous_working_day,
)
from powerretail.errors import InvalidInput, NotFound

WEEKEND = WeekendCalendar()


@attrs.frozen
class NeverWorks:
    name: str = "never works"

    def is_working_day(self, day: date) -> bool:
        return False


class TestWeekendCalendar:
    def test_counts_monday_to_friday_as_working_days(self) -> None:
        week = [date(2025, 9, 22 + offset) for offset in range(7)]

        answers = [WEEKEND.is_working_day(day) for day in week]

        assert answers == [True, True, True, True, True, False, False]

    def test_is_a_business_calendar(self) -> None:
        assert isinstance(WEEKEND, BusinessCalendar)

    def test_refuses_a_datetime(self) -> None:
        with pytest.raises(InvalidInput, match="day"):
            WEEKEND.is_working_day(datetime(2025, 1, 1, tzinfo=UTC))


class TestAddWorkingDays:
    def test_counts_day_one_as_the_first_working_day_after_the_start(self) -> None:
        assert add_working_days(WEEKEND, date(2025, 9, 26), 1) == date(2025, 9, 29)

    def test_does_not_count_a_working_start_day(self) -> None:
        assert add_working_days(WEEKEND, date(2025, 9, 22), 5) == date(2025, 9, 29)

    def test_returns_the_start_for_zero_days(self) -> None:
        assert add_working_days(WEEKEND, date(2025, 9, 27), 0) == date(2025, 9, 27)

    def test_counts_backwards_for_negative_days(self) -> None:
        assert add_working_days(WEEKEND, date(2025, 9, 29), -1) == date(2025, 9, 26)

    def test_refuses_a_count_that_is_not_a_whole_number(self) -> None:
        with pytest.raises(InvalidInput, match="days: expected a whole number"):
            add_working_days(WEEKEND, date(2025, 9, 29), True)

    def test_refuses_to_run_past_the_last_date(self) -> None:
        with pytest.raises(InvalidInput, match=r"between date\.min and date\.max"):
            add_working_days(WEEKEND, date.max, 1)

    def test_refuses_to_run_before_the_first_date(self) -> None:
        with pytest.raises(InvalidInput, match=r"between date\.min and date\.max"):
            previous_working_day(WEEKEND, date.min)

    def test_refuses_a_calendar_without_working_days(self) -> None:
        with pytest.raises(InvalidInput, match=f"within {MAX_DAYS_WITHOUT_WORK} days"):
            add_working_days(NeverWorks(), date(2025, 1, 1), 1)


class TestCountWorkingDays:
    def test_counts_the_start_but_not_the_end(self) -> None:
        assert count_working_days(WEEKEND, date(2025, 9, 22), date(2025, 9, 26)) == 4

    def test_gives_zero_for_an_empty_range(self) -> None:
        assert count_working_days(WEEKEND, date(2025, 9, 22), date(2025, 9, 22)) == 0

    def test_refuses_an_end_before_the_start(self) -> None:
        with pytest.raises(InvalidInput, match="on or after start"):
            count_working_days(WEEKEND, date(2025, 9, 22), date(2025, 9, 21))


class TestNextAndPreviousWorkingDay:
    def test_skips_the_weekend_forwards(self) -> None:
        assert next_working_day(WEEKEND, date(2025, 9, 26)) == date(2025, 9, 29)

    def test_skips_the_weekend_backwards(self) -> None:
        assert previous_working_day(WEEKEND, date(2025, 9, 29)) == date(2025, 9, 26)


class TestCalendarYearNotCovered:
    def test_is_a_not_found_error_naming_the_year_and_the_coverage(self) -> None:
        error = CalendarYearNotCovered("CN mainland", 2027, (2004, 2005, 2006, 2026))

        assert isinstance(error, NotFound)
        assert isinstance(error, LookupError)
        assert str(error) == (
            "CN mainland: no holiday schedule for 2027; it covers 2004–2006, 2026. "
            "Add the year's official notice with with_year() rather than guessing"
        )

    def test_says_when_nothing_is_covered(self) -> None:
        assert "covers no year" in str(CalendarYearNotCovered("empty", 2027, ()))
