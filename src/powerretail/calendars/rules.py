"""Holidays by date rule: a fixed date (with an observed-on-a-weekday rule) or the n-th weekday.

Utilities outside China name their holidays by rule rather than by list: New Year's Day on
1 January (observed on the Friday before when it falls on a Saturday, the Monday after on a
Sunday), Memorial Day on the last Monday of May, Thanksgiving on the fourth Thursday of
November. :class:`RuleCalendar` answers for any year from its rules, so it never runs out of
data the way a list does.

>>> thanksgiving = NthWeekdayRule(name="Thanksgiving", month=11, weekday="thursday", nth=4)
>>> memorial = NthWeekdayRule(name="Memorial Day", month=5, weekday="monday", nth=-1)
>>> july4 = FixedDateRule(name="Independence Day", month=7, day=4, observed="nearest_weekday")
>>> thanksgiving.date_in(2025), memorial.date_in(2025), july4.date_in(2026)
(datetime.date(2025, 11, 27), datetime.date(2025, 5, 26), datetime.date(2026, 7, 3))
>>> calendar = RuleCalendar((thanksgiving, memorial, july4))
>>> calendar.holiday_name(date(2026, 7, 3)), calendar.is_working_day(date(2026, 7, 4))
('Independence Day (observed)', False)
"""

from __future__ import annotations

import calendar as _calendar
import enum
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final

import attrs

from powerretail.errors import InvalidInput

__all__ = ["WEEKDAYS", "FixedDateRule", "HolidayRule", "NthWeekdayRule", "Observed", "RuleCalendar"]

#: Weekday names as rules write them, Monday first (``date.weekday()`` order).
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Observed(enum.Enum):
    """Where a fixed-date holiday that falls on a weekend is observed."""

    #: On the date itself, weekend or not.
    NONE = "none"
    #: Saturday → the Friday before, Sunday → the Monday after (US federal practice).
    NEAREST_WEEKDAY = "nearest_weekday"
    #: Saturday or Sunday → the Monday after (UK bank-holiday practice).
    FOLLOWING_MONDAY = "following_monday"


def _month(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidInput("month", value, "a month number 1-12")
    return value


def _observed(value: object) -> Observed:
    if isinstance(value, Observed):
        return value
    try:
        return Observed(value)
    except ValueError:
        names = ", ".join(o.value for o in Observed)
        raise InvalidInput("observed", value, f"one of {names}") from None


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("name", value, "the holiday's name")
    return value


@attrs.frozen(kw_only=True)
class FixedDateRule:
    """A holiday on ``month``/``day`` every year, moved off weekends as ``observed`` says."""

    name: str = attrs.field(converter=_name)
    month: int = attrs.field(converter=_month)
    day: int
    observed: Observed = attrs.field(default=Observed.NONE, converter=_observed)

    def __attrs_post_init__(self) -> None:
        longest = _calendar.monthrange(2024, self.month)[1]  # a leap year: 29 Feb is allowed
        if (
            isinstance(self.day, bool)
            or not isinstance(self.day, int)
            or not 1 <= self.day <= longest
        ):
            raise InvalidInput("day", self.day, f"a day 1-{longest} of month {self.month}")

    def date_in(self, year: int) -> date | None:
        """Return the day the holiday is observed on for ``year``'s date (``None``: no such day)."""
        if self.day > _calendar.monthrange(year, self.month)[1]:
            return None  # 29 February of a common year
        day = date(year, self.month, self.day)
        weekday = day.weekday()
        if weekday < 5 or self.observed is Observed.NONE:
            return day
        if self.observed is Observed.NEAREST_WEEKDAY:
            return day + timedelta(days=-1 if weekday == 5 else 1)
        return day + timedelta(days=7 - weekday)


def _weekday(value: object) -> str:
    if value not in WEEKDAYS:
        raise InvalidInput("weekday", value, f"one of {', '.join(WEEKDAYS)}")
    return str(value)


def _nth(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3, 4, 5, -1):
        raise InvalidInput("nth", value, "1-5 (the n-th in the month) or -1 (the last)")
    return value


@attrs.frozen(kw_only=True)
class NthWeekdayRule:
    """A holiday on the ``nth`` ``weekday`` of ``month`` (``nth=-1``: the last one)."""

    name: str = attrs.field(converter=_name)
    month: int = attrs.field(converter=_month)
    weekday: str = attrs.field(converter=_weekday)
    nth: int = attrs.field(converter=_nth)

    def date_in(self, year: int) -> date | None:
        """Return the holiday's date in ``year`` (``None``: the month has no 5th such day)."""
        wanted = WEEKDAYS.index(self.weekday)
        days = _calendar.monthrange(year, self.month)[1]
        matching = [
            date(year, self.month, d)
            for d in range(1, days + 1)
            if date(year, self.month, d).weekday() == wanted
        ]
        if self.nth == -1:
            return matching[-1]
        return matching[self.nth - 1] if self.nth <= len(matching) else None


#: Any holiday rule.
HolidayRule = FixedDateRule | NthWeekdayRule


def _rules(value: Iterable[HolidayRule]) -> tuple[HolidayRule, ...]:
    rules = tuple(value)
    for index, rule in enumerate(rules):
        if not isinstance(rule, FixedDateRule | NthWeekdayRule):
            raise InvalidInput(f"holiday_rules[{index}]", rule, "a FixedDateRule or NthWeekdayRule")
    return rules


@attrs.frozen
class RuleCalendar:
    """Holidays from rules, for any year; Saturdays and Sundays are not worked."""

    rules: tuple[HolidayRule, ...] = attrs.field(converter=_rules)
    _years: dict[int, dict[date, str]] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    @property
    def name(self) -> str:
        """The calendar's name (its rules')."""
        return "rules: " + ", ".join(rule.name for rule in self.rules)

    def holidays_in(self, year: int) -> dict[date, str]:
        """Return the holidays observed in ``year`` by date (a rule's date observed in the year
        before or after counts where it is observed)."""
        known = self._years.get(year)
        if known is None:
            known = {}
            for rule_year in (year - 1, year, year + 1):
                for rule in self.rules:
                    day = rule.date_in(rule_year)
                    if day is None or day.year != year:
                        continue
                    moved = isinstance(rule, FixedDateRule) and day != date(
                        rule_year, rule.month, rule.day
                    )
                    known.setdefault(day, rule.name + (" (observed)" if moved else ""))
            if len(self._years) > 200:
                self._years.clear()
            self._years[year] = known
        return known

    def holiday_name(self, day: date) -> str | None:
        """Return the holiday ``day`` is off for, or ``None``."""
        return self.holidays_in(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is worked: a weekday that is no holiday."""
        return day.weekday() < 5 and self.holiday_name(day) is None
