"""Cross-check the shipped China table against two independent public tables (rules.md §17.1).

``chinesecalendar`` (every day 2004–2026) and ``holidays.China`` (2024–2026, the years for which
it holds the official make-up days) are test extras; the library never imports them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from powerretail.calendars.china import ChinaMainlandCalendar

CHINA = ChinaMainlandCalendar.default()


def _every_day(first_year: int, last_year: int) -> list[date]:
    day, days = date(first_year, 1, 1), []
    while day.year <= last_year:
        days.append(day)
        day += timedelta(days=1)
    return days


class TestAgainstChineseCalendar:
    def test_agrees_on_every_day_from_2004_to_2026(self) -> None:
        chinese_calendar = pytest.importorskip("chinese_calendar")

        disagreements = [
            day
            for day in _every_day(2004, 2026)
            if CHINA.is_working_day(day) != chinese_calendar.is_workday(day)
        ]

        assert disagreements == []


class TestAgainstHolidays:
    def test_agrees_on_every_day_from_2024_to_2026(self) -> None:
        holidays = pytest.importorskip("holidays")
        china = holidays.China(years=range(2024, 2027))

        disagreements = [
            day
            for day in _every_day(2024, 2026)
            if CHINA.is_working_day(day) != china.is_working_day(day)
        ]

        assert disagreements == []
