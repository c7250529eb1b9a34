"""The mainland-China calendar: the facts of rules.md §17, extension and validation."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
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


# rules.md §17 and the State Council notices (国办发明电〔2022〕16号, 〔2023〕7号, 〔2024〕12号
# and the notice of 2025-11-04), transcribed by hand from their text, not from the generated data.
NOTICES = {
    2023: (
        _days(date(2022, 12, 31), date(2023, 1, 2))
        | _days(date(2023, 1, 21), date(2023, 1, 27))
        | {date(2023, 4, 5)}
        | _days(date(2023, 4, 29), date(2023, 5, 3))
        | _days(date(2023, 6, 22), date(2023, 6, 24))
        | _days(date(2023, 9, 29), date(2023, 10, 6)),
        {date(2023, 1, 28), date(2023, 1, 29), date(2023, 4, 23), date(2023, 5, 6)}
        | {date(2023, 6, 25), date(2023, 10, 7), date(2023, 10, 8)},
    ),
    2024: (
        {date(2024, 1, 1)}
        | _days(date(2024, 2, 10), date(2024, 2, 17))
        | _days(date(2024, 4, 4), date(2024, 4, 6))
        | _days(date(2024, 5, 1), date(2024, 5, 5))
        | {date(2024, 6, 10)}
        | _days(date(2024, 9, 15), date(2024, 9, 17))
        | _days(date(2024, 10, 1), date(2024, 10, 7)),
        {date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 7), date(2024, 4, 28)}
        | {date(2024, 5, 11), date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12)},
    ),
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
    @pytest.mark.parametrize("year", sorted(NOTICES))
    def test_matches_every_day_of_the_year_as_the_notice_lists_it(self, year: int) -> None:
        holidays, workdays = NOTICES[year]
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

    def test_files_a_new_year_break_that_begins_in_december_under_the_next_years_notice(
        self,
    ) -> None:
        notice_2023 = CHINA.schedule_for(2023)

        assert notice_2023.holidays[0].day == date(2022, 12, 31)
        assert not CHINA.is_working_day(date(2022, 12, 31))
        assert CHINA.holiday_name(date(2022, 12, 31)) == "New Year's Day"
        assert CHINA.is_working_day(date(2011, 12, 31))  # a Saturday worked for New Year 2012

    def test_refuses_december_days_when_only_the_next_years_notice_is_held(self) -> None:
        only_2023 = ChinaMainlandCalendar((CHINA.schedule_for(2023),))

        with pytest.raises(CalendarYearNotCovered):
            only_2023.is_working_day(date(2022, 12, 31))

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

    def test_lets_a_new_notice_start_the_break_in_the_last_days_of_december(self) -> None:
        notice = a_notice(holidays=[{"name": "x", "first": "2026-12-31", "last": "2027-01-02"}])

        extended = CHINA.with_year(parse_year_schedule(notice))

        assert not extended.is_working_day(date(2026, 12, 31))
        assert CHINA.is_working_day(date(2026, 12, 31))

    def test_refuses_a_notice_that_contradicts_the_year_before(self) -> None:
        notice = a_notice(makeup_workdays=[{"name": "x", "date": "2026-12-26"}])
        holiday_2026 = CHINA.schedule_for(2026)
        clash = attrs.evolve(
            holiday_2026,
            holidays=(*holiday_2026.holidays, NamedDay(date(2026, 12, 26), "invented")),
        )

        with pytest.raises(InvalidInput, match=r"schedules\[2027\]: expected a date that no other"):
            CHINA.with_year(clash).with_year(parse_year_schedule(notice))

    def test_refuses_a_holiday_that_the_year_before_lists_as_worked(self) -> None:
        worked = CHINA.schedule_for(2011)  # Sat 2011-12-31 worked for New Year 2012
        notice_2012 = attrs.evolve(
            CHINA.schedule_for(2012),
            holidays=(NamedDay(date(2011, 12, 31), "invented"),),
            makeup_workdays=(),
        )
        clash = attrs.evolve(worked, makeup_workdays=(NamedDay(date(2011, 12, 31), "invented"),))

        with pytest.raises(InvalidInput, match=r"schedules\[2012\]"):
            ChinaMainlandCalendar((clash, notice_2012))

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
            parse_year_schedule(a_notice(holidays=[{"name": "x", "first": "2026-12-24"}]))

    def test_refuses_a_date_in_the_following_year(self) -> None:
        with pytest.raises(InvalidInput, match=r"makeup_workdays\[0\]\.day"):
            parse_year_schedule(a_notice(makeup_workdays=[{"name": "x", "date": "2028-01-01"}]))

    def test_accepts_a_new_year_break_from_late_december(self) -> None:
        schedule = parse_year_schedule(
            a_notice(holidays=[{"name": "x", "first": "2026-12-31", "last": "2027-01-02"}])
        )

        assert schedule.earliest_day == date(2026, 12, 25)
        assert schedule.holidays[0].day == date(2026, 12, 31)

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
        assert "notice_date" not in CHINA.schedule_for(2015).to_mapping()


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
