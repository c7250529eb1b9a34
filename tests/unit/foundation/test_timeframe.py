from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from fractions import Fraction

import attrs
import pendulum
import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.timeframe import (
    DateRange,
    Interval,
    as_date,
    as_instant,
    in_force_on,
    latest_in_force,
    local_date,
    timezone,
)


class TestAsDateAndInstant:
    def test_as_date_accepts_dates_and_iso_text(self) -> None:
        assert as_date("2025-07-01") == date(2025, 7, 1)
        assert as_date(pendulum.date(2025, 7, 1)) == date(2025, 7, 1)
        assert type(as_date(pendulum.date(2025, 7, 1))) is date

    @pytest.mark.parametrize(
        "bad", ["2025-13-01", 20250701, dt.datetime(2025, 7, 1, tzinfo=dt.UTC)]
    )
    def test_as_date_refuses_other_things(self, bad: object) -> None:
        with pytest.raises(InvalidInput):
            as_date(bad, "opened_on")

    def test_as_instant_keeps_aware_datetimes_and_parses_offsets(self) -> None:
        instant = as_instant("2025-07-01T08:00:00+08:00")

        assert instant == pendulum.datetime(2025, 7, 1, tz="UTC")
        assert as_instant(dt.datetime(2025, 7, 1, tzinfo=dt.UTC)).year == 2025

    @pytest.mark.parametrize(
        "bad",
        ["2025-07-01T08:00:00", "yesterday", dt.datetime(2025, 7, 1), date(2025, 7, 1)],  # noqa: DTZ001
    )
    def test_as_instant_refuses_naive_and_non_instants(self, bad: object) -> None:
        with pytest.raises(InvalidInput):
            as_instant(bad)

    @pytest.mark.parametrize("text", ["9999-12-31T23:59-14:00", "0001-01-01T00:00+14:00"])
    def test_as_instant_refuses_an_instant_beyond_the_years_1_to_9999_in_utc(
        self, text: str
    ) -> None:
        with pytest.raises(InvalidInput, match="UTC time is in the years 1-9999"):
            as_instant(text)

    def test_local_date_depends_on_the_zone(self) -> None:
        instant = pendulum.datetime(2025, 6, 30, 20, tz="UTC")

        assert local_date(instant) == date(2025, 7, 1)
        assert local_date(instant, "Europe/London") == date(2025, 6, 30)

    def test_timezone_refuses_unknown_names(self) -> None:
        assert timezone("Asia/Shanghai").name == "Asia/Shanghai"
        with pytest.raises(InvalidInput):
            timezone("Mars/Olympus_Mons")


class TestDateRange:
    def test_is_half_open(self) -> None:
        july = DateRange.month(2025, 7)

        assert date(2025, 7, 1) in july
        assert date(2025, 7, 31) in july
        assert date(2025, 8, 1) not in july
        assert july.days == 31
        assert july.last_day == date(2025, 7, 31)

    def test_does_not_contain_datetimes_or_other_things(self) -> None:
        july = DateRange.month(2025, 7)

        assert dt.datetime(2025, 7, 2, tzinfo=dt.UTC) not in july
        assert "2025-07-02" not in july

    def test_refuses_an_end_not_after_the_start(self) -> None:
        with pytest.raises(InvalidInput, match="after start"):
            DateRange(date(2025, 7, 1), date(2025, 7, 1))

    def test_an_open_range_has_no_day_count(self) -> None:
        moved_in = DateRange(date(2025, 7, 1))

        assert moved_in.is_open
        assert date(2999, 1, 1) in moved_in
        assert str(moved_in) == "[2025-07-01, …)"
        with pytest.raises(InvalidInput, match="closed range"):
            _ = moved_in.days

    def test_month_and_year_constructors(self) -> None:
        assert DateRange.month(2024, 2).days == 29
        assert DateRange.month(2024, 12).end == date(2025, 1, 1)
        assert DateRange.year(2024).days == 366
        with pytest.raises(InvalidInput):
            DateRange.month(2024, 13)
        with pytest.raises(InvalidInput):
            DateRange.year(10000)

    def test_monthly_periods_are_anchored_not_chained(self) -> None:
        periods = DateRange.monthly(date(2025, 1, 31), 4)

        assert [p.start for p in periods] == [
            date(2025, 1, 31),
            date(2025, 2, 28),
            date(2025, 3, 31),
            date(2025, 4, 30),
        ]
        assert periods[-1].end == date(2025, 5, 31)

    @pytest.mark.parametrize("bad", [0, -1, True, "3"])
    def test_monthly_refuses_a_bad_count(self, bad: object) -> None:
        with pytest.raises(InvalidInput):
            DateRange.monthly(date(2025, 1, 1), bad)  # type: ignore[arg-type]

    def test_intersection_and_overlap(self) -> None:
        july = DateRange.month(2025, 7)
        mid = DateRange(date(2025, 7, 15), date(2025, 8, 15))

        assert july.intersection(mid) == DateRange(date(2025, 7, 15), date(2025, 8, 1))
        assert july.overlaps(mid)
        assert not july.overlaps(DateRange.month(2025, 8))
        assert DateRange(date(2025, 1, 1)).intersection(DateRange(date(2025, 6, 1))) == DateRange(
            date(2025, 6, 1)
        )

    def test_split_at_ignores_cuts_outside_and_on_the_bounds(self) -> None:
        july = DateRange.month(2025, 7)

        pieces = july.split_at(
            date(2025, 7, 10), date(2025, 7, 1), date(2025, 8, 1), date(2026, 1, 1)
        )

        assert [str(p) for p in pieces] == ["[2025-07-01, 2025-07-10)", "[2025-07-10, 2025-08-01)"]

    def test_split_of_an_open_range_keeps_it_open(self) -> None:
        pieces = DateRange(date(2025, 1, 1)).split_at(date(2025, 6, 1))

        assert pieces[-1] == DateRange(date(2025, 6, 1))

    def test_by_month_cuts_at_every_first(self) -> None:
        pieces = DateRange(date(2025, 1, 15), date(2025, 4, 2)).by_month()

        assert [p.days for p in pieces] == [17, 28, 31, 1]

    def test_dates_lists_every_day(self) -> None:
        assert list(DateRange(date(2024, 2, 28), date(2024, 3, 2)).dates()) == [
            date(2024, 2, 28),
            date(2024, 2, 29),
            date(2024, 3, 1),
        ]

    def test_proration_factor_is_exact(self) -> None:
        july = DateRange.month(2025, 7)

        assert DateRange(date(2025, 7, 1), date(2025, 7, 11)).proration_factor(july) == Fraction(
            10, 31
        )
        with pytest.raises(InvalidInput, match="inside"):
            DateRange.month(2025, 8).proration_factor(july)

    def test_to_interval_uses_local_midnights(self) -> None:
        span = DateRange.month(2025, 7).to_interval()

        assert span.start == pendulum.datetime(2025, 6, 30, 16, tz="UTC")
        assert span.duration == timedelta(days=31)


class TestInterval:
    def test_refuses_naive_instants_and_empty_spans(self) -> None:
        start = pendulum.datetime(2025, 1, 1, tz="UTC")
        with pytest.raises(InvalidInput):
            Interval(dt.datetime(2025, 1, 1), start)  # noqa: DTZ001
        with pytest.raises(InvalidInput, match="after start"):
            Interval(start, start)

    def test_contains_is_half_open_and_compares_instants(self) -> None:
        span = Interval("2025-01-01T00:00:00+08:00", "2025-01-02T00:00:00+08:00")

        assert pendulum.datetime(2024, 12, 31, 16, tz="UTC") in span
        assert pendulum.datetime(2025, 1, 1, 16, tz="UTC") not in span
        assert dt.datetime(2025, 1, 1, 1) not in span  # noqa: DTZ001
        assert "2025-01-01" not in span

    def test_intersection_and_overlap(self) -> None:
        a = Interval("2025-01-01T00:00:00+00:00", "2025-01-01T12:00:00+00:00")
        b = Interval("2025-01-01T06:00:00+00:00", "2025-01-02T00:00:00+00:00")
        c = Interval("2025-01-01T12:00:00+00:00", "2025-01-01T13:00:00+00:00")

        assert a.intersection(b) == Interval(
            "2025-01-01T06:00:00+00:00", "2025-01-01T12:00:00+00:00"
        )
        assert a.overlaps(b)
        assert not a.overlaps(c)

    def test_a_shanghai_day_is_96_quarter_hours(self) -> None:
        day = DateRange(date(2025, 7, 1), date(2025, 7, 2)).to_interval()

        assert day.duration / timedelta(minutes=15) == 96

    def test_by_local_day_follows_daylight_saving(self) -> None:
        span = Interval("2025-03-29T12:00:00+00:00", "2025-04-01T00:00:00+00:00")

        pieces = span.by_local_day("Europe/London")

        assert [p.duration / timedelta(hours=1) for p in pieces] == [12, 23, 24, 1]
        assert str(pieces[0]) == "[2025-03-29T12:00:00+00:00, 2025-03-30T00:00:00+00:00)"

    def test_split_at_keeps_only_inside_cuts(self) -> None:
        span = Interval("2025-01-01T00:00:00+00:00", "2025-01-01T02:00:00+00:00")

        pieces = span.split_at(
            pendulum.datetime(2025, 1, 1, 1, tz="UTC"), pendulum.datetime(2025, 1, 1, 5, tz="UTC")
        )

        assert len(pieces) == 2


@attrs.frozen
class _RuleSet:
    key: str
    effective: DateRange


@attrs.frozen
class _Policy:
    key: str
    effective_from: date


class TestInForceOn:
    old = _RuleSet("old", DateRange(date(1996, 10, 8), date(2024, 6, 1)))
    new = _RuleSet("new", DateRange(date(2024, 6, 1)))

    def test_picks_the_rule_set_whose_range_holds_the_day(self) -> None:
        assert in_force_on([self.old, self.new], date(2024, 5, 31), "rule set") is self.old
        assert in_force_on([self.new, self.old], date(2024, 6, 1), "rule set") is self.new

    def test_names_what_it_looked_for_when_none_is_in_force(self) -> None:
        with pytest.raises(NotFound, match='no late-fee rule set in force on "1996-10-07"'):
            in_force_on([self.old, self.new], date(1996, 10, 7), "late-fee rule set")

    def test_refuses_overlapping_ranges_on_a_day_both_hold(self) -> None:
        twin = _RuleSet("twin", DateRange(date(2024, 1, 1)))

        with pytest.raises(InvalidInput, match="one rule set in force on a day, not 2"):
            in_force_on([self.old, self.new, twin], date(2024, 7, 1), "rule set")

    def test_refuses_a_datetime_for_a_day(self) -> None:
        with pytest.raises(InvalidInput, match="on"):
            in_force_on([self.new], dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "rule set")


class TestLatestInForce:
    first = _Policy("2026", date(2026, 1, 1))
    second = _Policy("2027", date(2027, 1, 1))

    def test_takes_the_latest_start_not_after_the_day(self) -> None:
        assert latest_in_force([self.second, self.first], date(2027, 1, 1), "policy") is self.second
        assert (
            latest_in_force([self.second, self.first], date(2026, 12, 31), "policy") is self.first
        )

    def test_finds_none_before_the_first_start(self) -> None:
        with pytest.raises(NotFound, match="no policy in force on"):
            latest_in_force([self.first], date(2025, 12, 31), "policy")

    def test_refuses_two_that_start_on_the_same_day(self) -> None:
        twin = _Policy("twin", date(2027, 1, 1))

        with pytest.raises(InvalidInput, match="one policy per effective date"):
            latest_in_force([self.first, self.second, twin], date(2027, 6, 1), "policy")
