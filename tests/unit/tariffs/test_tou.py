"""Time-of-use schedules: seasons, day types, holidays and overlays."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.errors import InvalidInput
from powerretail.tariffs.tou import (
    Overlay,
    Season,
    TouSchedule,
    TouWindow,
    minutes_of,
    time_text,
)

ALL_YEAR = tuple(range(1, 13))
DAY = (TouWindow("peak", "08:00", "21:00"), TouWindow("valley", "21:00", "08:00"))


def a_schedule(**kwargs: object) -> TouSchedule:
    fields: dict[str, object] = {
        "name": "test",
        "seasons": (Season(name="all", months=ALL_YEAR, windows=DAY),),
    }
    fields.update(kwargs)
    return TouSchedule(**fields)  # type: ignore[arg-type]


class TestMinutesOf:
    @pytest.mark.parametrize("text", ["8:00", "08:07", "25:00", "24:15", "ab:cd", 800, "08:60"])
    def test_refuses_anything_but_a_quarter_hour(self, text: object) -> None:
        with pytest.raises(InvalidInput, match="quarter hour"):
            minutes_of(text)

    def test_round_trips_with_time_text(self) -> None:
        assert time_text(minutes_of("19:30")) == "19:30"


class TestTouWindow:
    def test_wraps_past_midnight(self) -> None:
        assert list(TouWindow("flat", "22:00", "02:00").slots()) == [*range(88, 96), *range(8)]

    @pytest.mark.parametrize(("start", "end"), [("08:00", "08:00"), ("24:00", "02:00")])
    def test_refuses_an_empty_window(self, start: str, end: str) -> None:
        with pytest.raises(InvalidInput):
            TouWindow("peak", start, end)

    def test_refuses_a_bucket_name_with_spaces(self) -> None:
        with pytest.raises(InvalidInput, match="bucket"):
            TouWindow("peak hour", "08:00", "09:00")


class TestSeason:
    def test_refuses_overlapping_windows(self) -> None:
        with pytest.raises(InvalidInput, match="overlap"):
            Season(name="x", months=ALL_YEAR, windows=(*DAY, TouWindow("flat", "10:00", "11:00")))

    def test_refuses_a_gap(self) -> None:
        with pytest.raises(InvalidInput, match="whole day"):
            Season(name="x", months=ALL_YEAR, windows=DAY[:1])

    @pytest.mark.parametrize("months", [(), (0,), (1, 1), (True,)])
    def test_refuses_bad_months(self, months: tuple[int, ...]) -> None:
        with pytest.raises(InvalidInput, match="months"):
            Season(name="x", months=months, windows=DAY)

    def test_refuses_an_unknown_day_type(self) -> None:
        with pytest.raises(InvalidInput, match="day_types"):
            Season(name="x", months=ALL_YEAR, windows=DAY, day_types={"sunday": DAY})


class TestTouSchedule:
    def test_gives_weekends_their_own_windows(self) -> None:
        weekend = (TouWindow("valley", "00:00", "24:00"),)
        schedule = a_schedule(
            seasons=(
                Season(name="all", months=ALL_YEAR, windows=DAY, day_types={"weekend": weekend}),
            )
        )

        assert schedule.bucket_at(date(2025, 7, 5), 600) == "valley"  # a Saturday
        assert schedule.bucket_at(date(2025, 7, 7), 600) == "peak"

    def test_counts_a_make_up_working_day_as_a_workday(self) -> None:
        schedule = a_schedule(workdays=[date(2025, 9, 28)], holidays=["2025-10-01"])

        assert schedule.day_type(date(2025, 9, 28)) == "workday"
        assert schedule.day_type(date(2025, 10, 1)) == "holiday"
        assert schedule.day_type(date(2025, 9, 27)) == "weekend"

    def test_lays_overlays_over_the_season_in_their_months_and_day_types(self) -> None:
        schedule = a_schedule(
            holidays=[date(2025, 10, 1)],
            overlays=(
                Overlay(
                    name="critical",
                    bucket="critical",
                    months=(7,),
                    windows=(TouWindow("x", "19:30", "21:30"),),
                ),
                Overlay(
                    name="deep",
                    bucket="deep_valley",
                    day_types=frozenset({"holiday"}),
                    windows=(TouWindow("x", "10:00", "14:00"),),
                ),
                Overlay(
                    name="hot day",
                    bucket="critical",
                    dates=["2025-06-30"],
                    windows=(TouWindow("x", "11:00", "12:00"),),
                ),
            ),
        )

        assert schedule.bucket_at(date(2025, 7, 1), 19 * 60 + 30) == "critical"
        assert schedule.bucket_at(date(2025, 8, 1), 19 * 60 + 30) == "peak"
        assert schedule.bucket_at(date(2025, 10, 1), 600) == "deep_valley"
        assert schedule.bucket_at(date(2025, 6, 30), 660) == "critical"
        assert schedule.bucket_at(date(2025, 6, 29), 660) == "peak"
        assert schedule.buckets == ("critical", "deep_valley", "peak", "valley")

    def test_refuses_a_month_in_two_seasons(self) -> None:
        with pytest.raises(InvalidInput, match="no other season"):
            a_schedule(
                seasons=(
                    Season(name="a", months=ALL_YEAR, windows=DAY),
                    Season(name="b", months=(1,), windows=DAY),
                )
            )

    def test_refuses_a_month_in_no_season(self) -> None:
        with pytest.raises(InvalidInput, match="every month"):
            a_schedule(seasons=(Season(name="a", months=(1, 2), windows=DAY),))

    def test_refuses_a_day_that_is_both_holiday_and_workday(self) -> None:
        with pytest.raises(InvalidInput, match="workdays"):
            a_schedule(holidays=["2025-10-01"], workdays=["2025-10-01"])

    @pytest.mark.parametrize("zone", ["Mars/Base", 8])
    def test_refuses_an_unknown_time_zone(self, zone: object) -> None:
        with pytest.raises(InvalidInput, match="timezone"):
            a_schedule(timezone=zone)

    def test_refuses_an_overlay_without_windows(self) -> None:
        with pytest.raises(InvalidInput, match="windows"):
            Overlay(name="x", bucket="critical", windows=())

    def test_refuses_an_unknown_overlay_day_type(self) -> None:
        with pytest.raises(InvalidInput, match="day_types"):
            Overlay(name="x", bucket="critical", windows=DAY, day_types=frozenset({"monday"}))
