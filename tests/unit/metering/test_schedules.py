from __future__ import annotations

from datetime import date

import pytest

from powerretail.errors import InvalidInput
from powerretail.ids import MeterId
from powerretail.metering.schedules import (
    Frequency,
    ReadingCycle,
    ReadingSchedule,
    Route,
    weekly_check_route,
)
from powerretail.timeframe import DateRange

Q1 = DateRange(date(2025, 1, 1), date(2025, 4, 1))


class TestReadingCycle:
    def test_a_monthly_day_31_clamps_to_the_month_end(self) -> None:
        cycle = ReadingCycle(
            code="M31", frequency=Frequency.MONTHLY, day_of_month=31, anchor=date(2025, 1, 31)
        )

        assert cycle.read_dates(Q1) == (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31))

    def test_a_bimonthly_cycle_reads_every_other_month_from_its_anchor(self) -> None:
        cycle = ReadingCycle(
            code="B", frequency=Frequency.BIMONTHLY, day_of_month=10, anchor=date(2024, 12, 10)
        )

        assert cycle.read_dates(Q1) == (date(2025, 2, 10),)

    def test_a_weekly_cycle_reads_on_the_anchor_weekday(self) -> None:
        cycle = ReadingCycle(code="W", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 6))

        dates = cycle.read_dates(DateRange(date(2025, 1, 1), date(2025, 1, 21)))

        assert dates == (date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20))

    def test_a_weekly_cycle_starting_on_its_weekday_reads_that_day(self) -> None:
        cycle = ReadingCycle(code="W", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 6))

        assert cycle.read_dates(DateRange(date(2025, 1, 13), date(2025, 1, 14))) == (
            date(2025, 1, 13),
        )

    @pytest.mark.parametrize("day", [None, 0, 32, True])
    def test_a_monthly_cycle_needs_a_reading_day(self, day: object) -> None:
        with pytest.raises(InvalidInput, match="day_of_month"):
            ReadingCycle(
                code="M",
                frequency=Frequency.MONTHLY,
                day_of_month=day,
                anchor=date(2025, 1, 1),  # type: ignore[arg-type]
            )

    def test_needs_a_code(self) -> None:
        with pytest.raises(InvalidInput, match="code"):
            ReadingCycle(code=" ", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 1))

    def test_needs_a_closed_period(self) -> None:
        cycle = ReadingCycle(code="W", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 6))

        with pytest.raises(InvalidInput, match=r"period\.end"):
            cycle.read_dates(DateRange(date(2025, 1, 1)))


class TestReadingSchedule:
    def test_lists_reads_due_by_day_route_and_stop(self) -> None:
        monthly = ReadingCycle(
            code="M", frequency=Frequency.MONTHLY, day_of_month=13, anchor=date(2025, 1, 13)
        )
        schedule = ReadingSchedule(
            (
                Route(code="R2", cycle=monthly, meters=["B", "A"]),
                weekly_check_route(code="BIG", meters=["K"], weekday_anchor=date(2025, 1, 6)),
            )
        )

        due = schedule.due(DateRange(date(2025, 1, 13), date(2025, 1, 14)))

        assert [(d.route, d.stop, d.meter_id) for d in due] == [
            ("BIG", 1, MeterId("K")),
            ("R2", 1, MeterId("B")),
            ("R2", 2, MeterId("A")),
        ]

    def test_refuses_two_routes_with_one_code(self) -> None:
        cycle = ReadingCycle(code="W", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 6))

        with pytest.raises(InvalidInput, match="unique"):
            ReadingSchedule((Route(code="R", cycle=cycle, meters=[]),) * 2)

    def test_a_route_holds_each_meter_once(self) -> None:
        cycle = ReadingCycle(code="W", frequency=Frequency.WEEKLY, anchor=date(2025, 1, 6))

        with pytest.raises(InvalidInput, match="once"):
            Route(code="R", cycle=cycle, meters=["A", "A"])
