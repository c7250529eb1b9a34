"""TOU schedules that take holidays and make-up workdays from a holiday calendar."""

from __future__ import annotations

import json
from datetime import date

import pytest

from powerretail.calendars.base import CalendarYearNotCovered
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput
from powerretail.tariffs.describe import describe_tariff
from powerretail.tariffs.parser import dump_toml, loads_json, loads_toml, to_mapping
from powerretail.tariffs.tou import (
    HOLIDAY_CALENDARS,
    HolidayCalendar,
    Season,
    TouSchedule,
    TouWindow,
)

DAY = (TouWindow("peak", "08:00", "21:00"), TouWindow("valley", "21:00", "08:00"))
SEASONS = (Season(name="all", months=tuple(range(1, 13)), windows=DAY),)


class OneHoliday:
    """A calendar with one holiday (1 May) and no make-up days, for any year."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def holiday_name(self, day: date) -> str | None:
        return "Labour Day" if (day.month, day.day) == (5, 1) else None


def a_file(holidays: str, extra: str = "") -> str:
    return f"""
code = "CAL"
name_zh = "日历"
name_en = "calendar"
category = "commercial_industrial"
[[versions]]
label = "1"
effective_from = 2025-01-01
[versions.schedules.s]
holidays = {holidays}
{extra}
[[versions.schedules.s.seasons]]
name = "all"
months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
windows = [{{ bucket = "peak", start = "08:00", end = "21:00" }},
           {{ bucket = "valley", start = "21:00", end = "08:00" }}]
[[versions.charges]]
type = "time_of_use"
code = "tou"
name_zh = "分时"
name_en = "tou"
source = "test"
schedule = "s"
prices = [{{ bucket = "peak", yuan_per_kwh = 0.6 }}, {{ bucket = "valley", yuan_per_kwh = 0.3 }}]
"""


class TestScheduleWithACalendar:
    schedule = TouSchedule(name="cn", seasons=SEASONS, holiday_calendar="CN")

    def test_takes_the_shipped_china_calendar_by_name(self) -> None:
        assert self.schedule.calendar is HOLIDAY_CALENDARS["CN"]
        assert self.schedule.day_type(date(2025, 10, 1)) == "holiday"
        assert self.schedule.day_type(date(2025, 10, 4)) == "holiday"  # a Saturday off
        assert self.schedule.day_type(date(2025, 9, 28)) == "workday"  # a Sunday worked (调休)
        assert self.schedule.day_type(date(2025, 9, 27)) == "weekend"
        assert self.schedule.day_type(date(2025, 9, 26)) == "workday"

    def test_refuses_a_year_the_calendar_does_not_cover(self) -> None:
        with pytest.raises(CalendarYearNotCovered, match="2031"):
            self.schedule.slots_on(date(2031, 5, 1))

    def test_uses_a_calendar_passed_in(self) -> None:
        schedule = TouSchedule(
            name="x", seasons=SEASONS, holiday_calendar="mine", calendar=OneHoliday()
        )

        assert schedule.day_type(date(2031, 5, 1)) == "holiday"
        assert schedule.day_type(date(2031, 5, 3)) == "weekend"

    def test_refuses_a_calendar_and_listed_dates_together(self) -> None:
        with pytest.raises(InvalidInput, match="not both"):
            TouSchedule(
                name="x", seasons=SEASONS, holiday_calendar="CN", holidays=[date(2025, 1, 1)]
            )

    def test_refuses_an_unknown_name_or_a_nameless_calendar(self) -> None:
        with pytest.raises(InvalidInput, match="one of CN"):
            TouSchedule(name="x", seasons=SEASONS, holiday_calendar="XX")
        with pytest.raises(InvalidInput, match="name of the calendar"):
            TouSchedule(name="x", seasons=SEASONS, calendar=OneHoliday())


class TestTariffFilesNamingACalendar:
    def test_reads_a_calendar_name_and_writes_it_back(self) -> None:
        tariff = loads_toml(a_file('"CN"'))
        schedule = tariff.versions[0].schedules["s"]

        assert schedule.holiday_calendar == "CN"
        assert schedule.day_type(date(2025, 10, 1)) == "holiday"
        assert 'holidays = "CN"' in dump_toml(tariff)
        assert "workdays" not in dump_toml(tariff)
        assert loads_toml(dump_toml(tariff)) == tariff
        assert "from the calendar CN" in describe_tariff(tariff)

    def test_takes_the_calendars_it_is_given(self) -> None:
        calendars: dict[str, HolidayCalendar] = {
            "CN": ChinaMainlandCalendar.default(),
            "ONE": OneHoliday(),
        }
        tariff = loads_toml(a_file('"ONE"'), calendars=calendars)

        assert tariff.versions[0].schedules["s"].day_type(date(2040, 5, 1)) == "holiday"

    def test_still_reads_listed_dates(self) -> None:
        tariff = loads_toml(a_file("[2025-05-01]"))
        schedule = tariff.versions[0].schedules["s"]

        assert schedule.holiday_calendar is None
        assert schedule.day_type(date(2025, 5, 1)) == "holiday"
        assert "1 holidays, 0 make-up workdays" in describe_tariff(tariff)

    def test_refuses_an_unknown_calendar_naming_the_path(self) -> None:
        with pytest.raises(InvalidInput, match=r"versions\[0\]\.schedules\.s\.holidays.*CN"):
            loads_toml(a_file('"XX"'))

    def test_refuses_workdays_beside_a_calendar(self) -> None:
        with pytest.raises(InvalidInput, match="the calendar has them"):
            loads_toml(a_file('"CN"', "workdays = [2025-09-28]"))

    def test_json_takes_calendars_too(self) -> None:
        mine: dict[str, HolidayCalendar] = {"ONE": OneHoliday()}
        data = to_mapping(loads_toml(a_file('"ONE"'), calendars=mine))

        tariff = loads_json(json.dumps(data, default=str), calendars=mine)

        assert tariff.versions[0].schedules["s"].day_type(date(2030, 5, 1)) == "holiday"
