"""The mainland-China calendar: the facts of rules.md §17, extension and validation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from powerretail.calendars.base import CalendarYearNotCovered, add_working_days
from powerretail.calendars.china import (
    ChinaMainlandCalendar,
    NamedDay,
    YearSchedule,
    parse_year_schedule,
)
from powerretail.errors import InvalidInput

CHINA = ChinaMainlandCalendar.default()


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


# rules.md §17, transcribed by hand from the text (not from the generated data).
SECTION_17 = {
    2025: (
        _days(date(2025, 1, 1), date(2025, 1, 1))
        | _days(date(2025, 1, 28), date(2025, 2, 4))
        | _days(date(2025, 4, 4), date(2025, 4, 6))
        | _days(date(2025, 5, 1), date(2025, 5, 5))
        | _days(date(2025, 5, 31), date(2025, 6, 2))
        | _days(date(2025, 10, 1), date(2025, 10, 8)),
        {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28)}
        | {date(2025, 10, 11)},
    ),
    2026: (
        _days(date(2026, 1, 1), date(2026, 1, 3))
        | _days(date(2026, 2, 15), date(2026, 2, 23))
        | _days(date(2026, 4, 4), date(2026, 4, 6))
        | _days(date(2026, 5, 1), date(2026, 5, 5))
        | _days(date(2026, 6, 19), date(2026, 6, 21))
        | _days(date(2026, 9, 25), date(2026, 9, 27))
        | _days(date(2026, 10, 1), date(2026, 10, 7)),
        {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9)}
        | {date(2026, 9, 20), date(2026, 10, 10)},
    ),
}


def a_notice(**overrides: object) -> dict[str, object]:
    notice: dict[str, object] = {
        "year": 2027,
        "source": "State Council General Office notice for 2027 (illustrative)",
        "version": "test-1",
        "notice_date": "2026-11-10",
        "holidays": [
            {
                "name": "New Year's Day",
                "name_zh": "元旦",
                "first": "2027-01-01",
                "last": "2027-01-03",
            }
        ],
        "makeup_workdays": [{"name": "Spring Festival", "date": "2027-02-07"}],
    }
    notice.update(overrides)
    return notice


class TestSection17Facts:
    @pytest.mark.parametrize("year", [2025, 2026])
    def test_matches_every_day_of_the_year_as_listed_in_section_17(self, year: int) -> None:
        holidays, workdays = SECTION_17[year]
        day, wrong = date(year, 1, 1), []

        while day.year == year:
            expected = day in workdays or (day.weekday() < 5 and day not in holidays)
            if CHINA.is_working_day(day) != expected:
                wrong.append(day)
            day += timedelta(days=1)

        assert wrong == []

    def test_names_the_holiday_a_day_is_off_for(self) -> None:
        assert CHINA.holiday_name(date(2025, 1, 29)) == "Spring Festival"
        assert CHINA.holiday_name(date(2025, 1, 26)) is None
        assert CHINA.holiday_name(date(2025, 3, 3)) is None

    def test_covers_every_year_from_2004_to_2026(self) -> None:
        assert CHINA.covered_years == tuple(range(2004, 2027))

    def test_keeps_the_source_and_version_of_each_year(self) -> None:
        schedule = CHINA.schedule_for(2025)

        assert schedule.notice_date == date(2024, 11, 12)
        assert "2025" in schedule.source
        assert schedule.version.startswith("chinesecalendar-")

    def test_shows_its_coverage_in_its_repr(self) -> None:
        assert repr(CHINA) == "ChinaMainlandCalendar(name='CN mainland', years='2004–2026')"

    def test_default_is_one_shared_value(self) -> None:
        assert ChinaMainlandCalendar.default() is CHINA


class TestFailClosed:
    def test_refuses_a_year_without_data(self) -> None:
        with pytest.raises(CalendarYearNotCovered, match="no holiday schedule for 2027"):
            CHINA.is_working_day(date(2027, 1, 4))

    def test_refuses_a_year_before_the_data(self) -> None:
        with pytest.raises(CalendarYearNotCovered, match="it covers 2004–2026"):
            CHINA.holiday_name(date(2003, 12, 31))

    def test_refuses_to_add_working_days_into_an_uncovered_year(self) -> None:
        with pytest.raises(CalendarYearNotCovered) as caught:
            add_working_days(CHINA, date(2026, 12, 28), 5)

        assert caught.value.year == 2027
        assert caught.value.covered == tuple(range(2004, 2027))

    def test_refuses_a_schedule_for_a_missing_year(self) -> None:
        with pytest.raises(CalendarYearNotCovered):
            CHINA.schedule_for(1999)


class TestWithYear:
    def test_adds_a_year_from_a_notice_without_changing_the_original(self) -> None:
        extended = CHINA.with_year(parse_year_schedule(a_notice()))

        assert extended.covered_years[-1] == 2027
        assert not extended.is_working_day(date(2027, 1, 1))
        assert extended.is_working_day(date(2027, 2, 7))
        assert extended.is_working_day(date(2027, 1, 4))
        assert CHINA.covered_years[-1] == 2026

    def test_lets_working_days_run_into_the_added_year(self) -> None:
        extended = CHINA.with_year(parse_year_schedule(a_notice()))

        assert add_working_days(extended, date(2026, 12, 28), 5) == date(2027, 1, 5)

    def test_replaces_the_schedule_of_a_year_it_already_holds(self) -> None:
        amended = parse_year_schedule(a_notice(year=2026, holidays=[], makeup_workdays=[]))

        calendar = CHINA.with_year(amended)

        assert calendar.is_working_day(date(2026, 10, 8))
        assert calendar.covered_years == CHINA.covered_years

    def test_refuses_something_that_is_not_a_schedule(self) -> None:
        with pytest.raises(InvalidInput, match="schedule"):
            CHINA.with_year(a_notice())  # type: ignore[arg-type]


class TestChinaMainlandCalendar:
    def test_refuses_two_schedules_for_one_year(self) -> None:
        schedule = parse_year_schedule(a_notice())

        with pytest.raises(InvalidInput, match="one schedule per year"):
            ChinaMainlandCalendar((schedule, schedule))

    def test_refuses_a_value_that_is_not_a_schedule(self) -> None:
        with pytest.raises(InvalidInput, match="YearSchedule values"):
            ChinaMainlandCalendar(("2027",))  # type: ignore[arg-type]

    def test_equal_schedules_make_equal_calendars(self) -> None:
        schedule = parse_year_schedule(a_notice())

        assert ChinaMainlandCalendar((schedule,)) == ChinaMainlandCalendar((schedule,))


class TestYearSchedule:
    def test_refuses_a_date_outside_its_year(self) -> None:
        with pytest.raises(InvalidInput, match=r"holidays\[0\]\.day: expected a date in 2027"):
            parse_year_schedule(a_notice(holidays=[{"name": "x", "first": "2026-12-31"}]))

    def test_refuses_a_date_both_holiday_and_working_day(self) -> None:
        with pytest.raises(InvalidInput, match="listed once"):
            YearSchedule(
                year=2027,
                holidays=(NamedDay(date(2027, 2, 6), "Spring Festival"),),
                makeup_workdays=(NamedDay(date(2027, 2, 6), "Spring Festival"),),
                source="s",
                version="v",
            )

    def test_refuses_a_make_up_working_day_on_a_weekday(self) -> None:
        with pytest.raises(InvalidInput, match="a Saturday or Sunday"):
            parse_year_schedule(a_notice(makeup_workdays=[{"name": "x", "date": "2027-02-08"}]))

    def test_refuses_a_year_that_is_not_a_whole_number(self) -> None:
        with pytest.raises(InvalidInput, match="year: expected a whole year"):
            parse_year_schedule(a_notice(year="2027"))

    def test_refuses_an_empty_source(self) -> None:
        with pytest.raises(InvalidInput, match="source: expected non-empty text"):
            parse_year_schedule(a_notice(source=" "))

    def test_round_trips_through_the_notice_format(self) -> None:
        for year in (2015, 2020, 2025, 2026):
            schedule = CHINA.schedule_for(year)

            assert parse_year_schedule(schedule.to_mapping()) == schedule

    def test_writes_no_notice_date_when_it_has_none(self) -> None:
        assert "notice_date" not in CHINA.schedule_for(2024).to_mapping()


class TestParseYearSchedule:
    def test_reads_a_one_day_holiday_without_a_last_date(self) -> None:
        schedule = parse_year_schedule(a_notice(holidays=[{"name": "x", "first": "2027-04-05"}]))

        assert [named.day for named in schedule.holidays] == [date(2027, 4, 5)]

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            (
                {"holidays": [{"name": "x", "first": "2027-01-03", "last": "2027-01-01"}]},
                r"holidays\[0\]\.last: expected a date on or after 2027-01-03",
            ),
            (
                {"holidays": [{"name": "x", "first": "2027-01-03", "colour": "red"}]},
                r"holidays\[0\]\.colour: expected only the keys",
            ),
            (
                {"makeup_workdays": [{"name": "x", "date": "Feb 7"}]},
                r"makeup_workdays\[0\]\.date: expected an ISO date",
            ),
            (
                {"makeup_workdays": [{"date": "2027-02-07"}]},
                r"makeup_workdays\[0\]\.name: expected non-empty text",
            ),
            ({"holidays": "2027-01-01"}, "holidays: expected a list of tables"),
            ({"holidays": ["2027-01-01"]}, r"holidays\[0\]: expected a table"),
            ({"region": "CN"}, "region: expected only the keys"),
        ],
    )
    def test_names_the_field_that_is_wrong(
        self, overrides: dict[str, object], message: str
    ) -> None:
        with pytest.raises(InvalidInput, match=message):
            parse_year_schedule(a_notice(**overrides))

    def test_refuses_a_notice_without_a_version(self) -> None:
        notice = a_notice()
        del notice["version"]

        with pytest.raises(InvalidInput, match='version: expected the key "version"'):
            parse_year_schedule(notice)

    def test_refuses_something_that_is_not_a_mapping(self) -> None:
        with pytest.raises(InvalidInput, match="notice: expected a mapping"):
            parse_year_schedule(["year", 2027])  # type: ignore[arg-type]
