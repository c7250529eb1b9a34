"""Sales plan by TOU band and the open position, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.reads import IntervalSeries
from powerretail.retail.forecast import Method, Month, MonthForecast, ProfileForecast
from powerretail.retail.plans import (
    PositionLine,
    SalesPlan,
    SalesPlanLine,
    band_energy,
    band_weights,
    open_position,
    sales_plan,
    split_by_bands,
)
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow

MARCH = Month.parse("2026-03")
# peak 08:00-21:00 (13 h), valley 21:00-08:00 (11 h)
SCHEDULE = TouSchedule(
    name="test",
    seasons=(
        Season(
            name="all",
            months=tuple(range(1, 13)),
            windows=(TouWindow("peak", "08:00", "21:00"), TouWindow("valley", "21:00", "08:00")),
        ),
    ),
)
HALF_PAST = TouSchedule(
    name="half past",
    seasons=(
        Season(
            name="all",
            months=tuple(range(1, 13)),
            windows=(TouWindow("peak", "08:30", "21:00"), TouWindow("valley", "21:00", "08:30")),
        ),
    ),
)


def a_forecast(account_id: str, kwh: str, month: Month = MARCH) -> MonthForecast:
    return MonthForecast(
        account_id=account_id,
        month=month,
        kwh=Decimal(kwh),
        method=Method.SEASONAL_NAIVE,
        basis="",
    )


def a_flat_profile(account_id: str, per_hour: str, month: Month = MARCH) -> ProfileForecast:
    start = pendulum.datetime(month.year, month.month, 1, tz="Asia/Shanghai")
    hours = len(month.days) * 24
    return ProfileForecast(
        account_id=account_id,
        month=month,
        start=start,
        step_minutes=60,
        values=(Decimal(per_hour),) * hours,
        basis="flat",
    )


class TestBandEnergy:
    def test_puts_each_hour_in_its_band(self) -> None:
        # 31 days x 13 peak hours x 1 kWh = 403; 31 x 11 = 341
        assert band_energy(a_flat_profile("A-1", "1"), SCHEDULE) == {
            "peak": Decimal("403"),
            "valley": Decimal("341"),
        }

    def test_shares_an_hour_that_spans_two_bands_exactly(self) -> None:
        # 08:00-09:00 is two valley then two peak quarters: its 0.001 goes to the first (valley)
        profile = a_flat_profile("A-1", "0.001")

        bands = band_energy(profile, HALF_PAST)

        assert sum(bands.values()) == profile.total
        # per day: 11 whole valley hours (0.011) + the 08:00 hour (0.001), 31 days
        assert bands["valley"] == Decimal("0.341") + Decimal("0.031")


class TestBandWeights:
    def test_weighs_the_history_by_band_leaving_out_missing_values(self) -> None:
        start = pendulum.datetime(2026, 1, 5, 7, tz="Asia/Shanghai")
        series = IntervalSeries.of_actuals(
            meter_id="M-1", start=start, values=["2", "4", None], step_minutes=60
        )

        assert band_weights([series], SCHEDULE) == {"peak": Decimal("4"), "valley": Decimal("2")}

    def test_shares_an_interval_spanning_two_bands_evenly(self) -> None:
        start = pendulum.datetime(2026, 1, 5, 8, tz="Asia/Shanghai")
        series = IntervalSeries.of_actuals(
            meter_id="M-1", start=start, values=["4"], step_minutes=60
        )

        assert band_weights([series], HALF_PAST) == {"peak": Decimal(2), "valley": Decimal(2)}


class TestSplitByBands:
    def test_splits_exactly_by_weights(self) -> None:
        assert split_by_bands(Decimal("100"), {"valley": Decimal(1), "peak": Decimal(2)}) == {
            "peak": Decimal("66.667"),
            "valley": Decimal("33.333"),
        }


class TestSalesPlan:
    def test_sums_customers_to_the_portfolio(self) -> None:
        plan = sales_plan(
            [a_forecast("A-1", "744"), a_forecast("A-2", "100")],
            schedule=SCHEDULE,
            profiles=[a_flat_profile("A-1", "1")],
            weights={"A-2": {"peak": Decimal(3), "valley": Decimal(1)}},
        )

        assert plan.for_account("A-2") == {
            (MARCH, "peak"): Decimal("75.000"),
            (MARCH, "valley"): Decimal("25.000"),
        }
        assert plan.portfolio() == {
            (MARCH, "peak"): Decimal("478.000"),
            (MARCH, "valley"): Decimal("366.000"),
        }
        assert plan.total_kwh == Decimal("844.000")
        assert plan.accounts() == ("A-1", "A-2")
        assert plan.lines[0].basis == "seasonal_naive forecast, split by its interval profile"
        assert plan.to_dict()["total_kwh"] == "844.000"

    def test_refuses_a_profile_that_does_not_hold_the_forecast(self) -> None:
        with pytest.raises(InvalidInput, match="744"):
            sales_plan(
                [a_forecast("A-1", "700")],
                schedule=SCHEDULE,
                profiles=[a_flat_profile("A-1", "1")],
            )

    def test_refuses_a_customer_without_a_way_to_split(self) -> None:
        with pytest.raises(NotFound, match="A-1"):
            sales_plan([a_forecast("A-1", "700")], schedule=SCHEDULE)

    def test_refuses_two_lines_for_one_cell(self) -> None:
        line = SalesPlanLine(account_id="A-1", month=MARCH, band="peak", kwh=Decimal(1))

        with pytest.raises(InvalidInput, match="one line per"):
            SalesPlan((line, line))


class TestOpenPosition:
    def plan(self) -> SalesPlan:
        return SalesPlan(
            (
                SalesPlanLine(account_id="A-1", month=MARCH, band="peak", kwh=Decimal("400")),
                SalesPlanLine(account_id="A-1", month=MARCH, band="valley", kwh=Decimal("300")),
                SalesPlanLine(account_id="A-2", month=MARCH, band="peak", kwh=Decimal("200")),
            )
        )

    def test_reports_open_energy_and_hedge_ratio_per_cell_and_month(self) -> None:
        # peak: 600 planned, 450 bought: open 150, ratio 0.75; valley 300 vs 310: -10, 1.0333
        report = open_position(
            self.plan(),
            {("2026-03", "peak"): Decimal("450"), (MARCH, "valley"): Decimal("310")},
        )

        assert [(ln.band, ln.open_kwh, ln.hedge_ratio) for ln in report.lines] == [
            ("peak", Decimal("150"), Decimal("0.7500")),
            ("valley", Decimal("-10"), Decimal("1.0333")),
        ]
        month = report.month_totals()[MARCH]
        assert (month.planned_kwh, month.purchased_kwh, month.hedge_ratio) == (
            Decimal("900"),
            Decimal("760"),
            Decimal("0.8444"),
        )
        assert report.to_dict()["months"] == [
            {
                "month": "2026-03",
                "band": "all",
                "planned_kwh": "900",
                "purchased_kwh": "760",
                "open_kwh": "140",
                "hedge_ratio": "0.8444",
            }
        ]

    def test_reports_energy_bought_for_a_cell_not_planned(self) -> None:
        report = open_position(self.plan(), {("2026-04", "peak"): 50})

        april = report.lines[-1]
        assert (april.month, april.planned_kwh, april.open_kwh, april.hedge_ratio) == (
            Month.parse("2026-04"),
            Decimal(0),
            Decimal(-50),
            None,
        )
        assert report.to_dict()["lines"][-1]["hedge_ratio"] is None  # type: ignore[index]

    def test_refuses_negative_purchases(self) -> None:
        with pytest.raises(InvalidInput, match="at least 0"):
            open_position(self.plan(), {("2026-03", "peak"): Decimal("-1")})

    def test_a_cell_with_nothing_bought_is_fully_open(self) -> None:
        line = PositionLine(month=MARCH, band="x", planned_kwh=Decimal(5), purchased_kwh=Decimal(0))

        assert (line.open_kwh, line.hedge_ratio) == (Decimal(5), Decimal("0.0000"))


def test_schedules_cover_the_days_used() -> None:
    assert SCHEDULE.day_type(date(2026, 3, 1)) == "weekend"


def test_a_plan_takes_its_bands_from_a_shipped_tariffs_tou_schedule() -> None:
    # JS-CI-TOU-1P (苏发改价格发〔2025〕426号): a flat hour-by-hour profile of March 2026 puts
    # each interval in the band the schedule gives its local time; the bands add up exactly.
    schedule = load_shipped("JS-CI-TOU-1P").versions[-1].schedules["js426"]
    profile = a_flat_profile("A-1", "1")

    bands = band_energy(profile, schedule)

    assert sum(bands.values()) == Decimal(744)
    assert set(bands) <= set(schedule.buckets)
    expected: dict[str, Decimal] = {}
    for index in range(744):
        local = profile.instant(index).in_timezone("Asia/Shanghai")
        for quarter in range(4):
            bucket = schedule.bucket_at(local.date(), local.hour * 60 + quarter * 15)
            expected[bucket] = expected.get(bucket, Decimal(0)) + Decimal("0.25")
    assert bands == expected
