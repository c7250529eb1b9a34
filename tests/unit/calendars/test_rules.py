"""Holidays by date rule, checked against dates read off a printed calendar."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.calendars.rules import FixedDateRule, NthWeekdayRule, Observed, RuleCalendar
from powerretail.errors import InvalidInput

THANKSGIVING = NthWeekdayRule(name="Thanksgiving", month=11, weekday="thursday", nth=4)
MEMORIAL = NthWeekdayRule(name="Memorial Day", month=5, weekday="monday", nth=-1)
NEW_YEAR = FixedDateRule(name="New Year", month=1, day=1, observed="nearest_weekday")
CHRISTMAS_UK = FixedDateRule(name="Christmas", month=12, day=25, observed="following_monday")


@pytest.mark.parametrize(
    ("rule", "year", "expected"),
    [
        (THANKSGIVING, 2024, date(2024, 11, 28)),  # November 2024 starts on a Friday
        (THANKSGIVING, 2025, date(2025, 11, 27)),  # ... 2025 on a Saturday
        (MEMORIAL, 2024, date(2024, 5, 27)),  # May 2024 has five Fridays, ends on a Friday
        (MEMORIAL, 2025, date(2025, 5, 26)),
        (NEW_YEAR, 2023, date(2023, 1, 2)),  # 1 Jan 2023 a Sunday: Monday
        (NEW_YEAR, 2022, date(2021, 12, 31)),  # 1 Jan 2022 a Saturday: the Friday before
        (NEW_YEAR, 2025, date(2025, 1, 1)),  # a Wednesday
        (CHRISTMAS_UK, 2021, date(2021, 12, 27)),  # a Saturday: the Monday after
        (CHRISTMAS_UK, 2022, date(2022, 12, 26)),  # a Sunday: the Monday after
        (NthWeekdayRule(name="x", month=2, weekday="monday", nth=5), 2025, None),
        (FixedDateRule(name="leap", month=2, day=29), 2025, None),
        (FixedDateRule(name="leap", month=2, day=29), 2024, date(2024, 2, 29)),
        (FixedDateRule(name="plain", month=7, day=4), 2026, date(2026, 7, 4)),  # a Saturday
    ],
)
def test_a_rule_gives_its_date(rule: object, year: int, expected: date | None) -> None:
    assert rule.date_in(year) == expected  # type: ignore[attr-defined]


def test_an_observed_date_in_the_year_before_counts_there() -> None:
    calendar = RuleCalendar((NEW_YEAR,))
    assert calendar.holiday_name(date(2021, 12, 31)) == "New Year (observed)"
    assert calendar.holiday_name(date(2022, 1, 1)) is None  # a Saturday: a weekend anyway
    assert not calendar.is_working_day(date(2021, 12, 31))
    assert calendar.is_working_day(date(2021, 12, 30))
    assert not calendar.is_working_day(date(2021, 12, 25))  # a Saturday
    assert calendar.name == "rules: New Year"
    assert calendar.holidays_in(2025) == {date(2025, 1, 1): "New Year"}


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: FixedDateRule(name="x", month=13, day=1), "a month number 1-12"),
        (lambda: FixedDateRule(name="x", month=4, day=31), "a day 1-30 of month 4"),
        (lambda: FixedDateRule(name="", month=4, day=1), "the holiday's name"),
        (lambda: FixedDateRule(name="x", month=4, day=1, observed="later"), "nearest_weekday"),
        (lambda: NthWeekdayRule(name="x", month=4, weekday="funday", nth=1), "monday"),
        (lambda: NthWeekdayRule(name="x", month=4, weekday="monday", nth=0), "1-5"),
        (lambda: RuleCalendar(("not a rule",)), "a FixedDateRule or NthWeekdayRule"),
    ],
)
def test_impossible_rules_are_refused(make: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        make()  # type: ignore[operator]


def test_observed_is_an_enum_or_its_value() -> None:
    assert FixedDateRule(name="x", month=1, day=1, observed=Observed.NONE).observed is Observed.NONE
