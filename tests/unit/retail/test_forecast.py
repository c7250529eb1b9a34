"""Forecast methods, worked by hand on one customer's two years (2025 is 2024 × 1.1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
import pytest

from powerretail.calendars.base import WeekendCalendar
from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.reads import IntervalSeries
from powerretail.retail.forecast import (
    ForecastNotPossible,
    Method,
    Month,
    MonthlyHistory,
    ProductionPlan,
    forecast_customers,
    forecast_month,
    portfolio_profile,
    portfolio_total,
    round_kwh,
    split_exactly,
    working_day_profile,
    working_days_in,
)

Y2024 = [
    "1000",
    "800",
    "1000",
    "900",
    "1000",
    "1100",
    "1200",
    "1200",
    "1000",
    "900",
    "1000",
    "1100",
]
Y2025 = [
    "1100",
    "880",
    "1100",
    "990",
    "1100",
    "1210",
    "1320",
    "1320",
    "1100",
    "990",
    "1100",
    "1210",
]


def a_history(account_id: str = "A-1", customer_class: str = "industrial") -> MonthlyHistory:
    usage = {f"2024-{i + 1:02d}": v for i, v in enumerate(Y2024)}
    usage.update({f"2025-{i + 1:02d}": v for i, v in enumerate(Y2025)})
    return MonthlyHistory.of(account_id, usage, customer_class)


MARCH, FEBRUARY = Month.parse("2026-03"), Month.parse("2026-02")


class TestMonth:
    def test_adds_across_years(self) -> None:
        assert str(Month.parse("2025-11").add(3)) == "2026-02"
        assert str(Month.parse("2026-01").add(-1)) == "2025-12"
        assert Month.parse("2026-02").minus(Month.parse("2025-11")) == 3

    @pytest.mark.parametrize(
        "text", ["2026-13", "2026-1", "26-01", "2026/01", "x", 202601, "1800-01"]
    )
    def test_refuses_anything_but_yyyy_mm(self, text: object) -> None:
        with pytest.raises(InvalidInput, match="YYYY-MM"):
            Month.parse(text)

    def test_refuses_a_bad_month_number(self) -> None:
        with pytest.raises(InvalidInput):
            Month(2026, 0)

    def test_lists_its_days(self) -> None:
        assert len(FEBRUARY.days) == 28
        assert FEBRUARY.days[-1] == date(2026, 2, 28)


class TestForecastMonth:
    def test_seasonal_naive_is_the_same_month_last_year(self) -> None:
        made = forecast_month(a_history(), MARCH, Method.SEASONAL_NAIVE)

        assert made.kwh == Decimal("1100.000")
        assert made.basis == "2025-03 actual 1100"

    def test_seasonal_naive_goes_back_two_years_past_a_year_ahead(self) -> None:
        made = forecast_month(a_history(), Month.parse("2027-03"), Method.SEASONAL_NAIVE)

        assert made.kwh == Decimal("1100.000")

    def test_same_month_growth_uses_the_trailing_years_growth(self) -> None:
        # 2025 sums 13420, 2024 sums 12200: growth 13420/12200 - 1 = 0.1; 1100 x 1.1 = 1210
        made = forecast_month(a_history(), MARCH, Method.SAME_MONTH_GROWTH)

        assert made.kwh == Decimal("1210.000")
        assert "13420/12200" in made.basis

    def test_same_month_growth_takes_a_given_growth(self) -> None:
        made = forecast_month(a_history(), MARCH, Method.SAME_MONTH_GROWTH, growth=Decimal("-0.05"))

        assert made.kwh == Decimal("1045.000")

    def test_moving_average_is_the_mean_of_the_last_months(self) -> None:
        # (990 + 1100 + 1210) / 3 = 1100
        assert forecast_month(a_history(), MARCH, Method.MOVING_AVERAGE).kwh == Decimal("1100.000")
        # (1100 + 1210) / 2 = 1155
        made = forecast_month(a_history(), MARCH, Method.MOVING_AVERAGE, window=2)
        assert made.kwh == Decimal("1155.000")

    def test_working_day_scales_by_the_2026_spring_festival(self) -> None:
        # Feb 2025: 20 weekdays - 3,4 Feb (holiday) + Sat 8 Feb (make-up) = 19 working days.
        # Feb 2026: 20 weekdays - 16-20, 23 Feb (holiday) + Sat 14 and 28 Feb (make-up) = 16.
        # 880 x 16 / 19 = 741.05263... -> 741.053
        made = forecast_month(a_history(), FEBRUARY, Method.WORKING_DAY)

        assert made.kwh == Decimal("741.053")
        assert made.basis == "2025-02 actual 880 × 16 working days / 19 working days"

    def test_working_day_counts_on_the_calendar_given(self) -> None:
        made = forecast_month(a_history(), FEBRUARY, Method.WORKING_DAY, calendar=WeekendCalendar())

        assert made.kwh == Decimal("880.000")  # 20 weekdays in both Februaries

    def test_an_origin_hides_the_later_months(self) -> None:
        made = forecast_month(
            a_history(),
            Month.parse("2025-03"),
            Method.MOVING_AVERAGE,
            origin=Month.parse("2025-03"),
        )

        # 2024-12, 2025-01, 2025-02: (1100 + 1100 + 880) / 3 = 1026.666... -> 1026.667
        assert made.kwh == Decimal("1026.667")

    def test_refuses_a_month_before_the_origin(self) -> None:
        with pytest.raises(InvalidInput, match="origin 2026-01"):
            forecast_month(a_history(), Month.parse("2025-12"), Method.SEASONAL_NAIVE)

    def test_names_what_is_missing(self) -> None:
        short = MonthlyHistory.of("A-9", {"2025-12": "10"})

        with pytest.raises(ForecastNotPossible, match="A-9 by moving_average: it needs the 3"):
            forecast_month(short, MARCH, Method.MOVING_AVERAGE)
        with pytest.raises(ForecastNotPossible, match="03 of a known year"):
            forecast_month(short, MARCH, Method.SEASONAL_NAIVE)
        with pytest.raises(ForecastNotPossible, match="24 months"):
            forecast_month(
                MonthlyHistory.of("A-9", {"2025-03": "10"}), MARCH, Method.SAME_MONTH_GROWTH
            )

    def test_growth_over_a_zero_year_is_not_possible(self) -> None:
        usage = {f"2024-{i:02d}": "0" for i in range(1, 13)}
        usage.update({f"2025-{i:02d}": "5" for i in range(1, 13)})

        with pytest.raises(ForecastNotPossible):
            forecast_month(MonthlyHistory.of("A-0", usage), MARCH, Method.SAME_MONTH_GROWTH)

    def test_refuses_a_window_below_one_and_the_plan_method(self) -> None:
        with pytest.raises(InvalidInput, match="window"):
            forecast_month(a_history(), MARCH, Method.MOVING_AVERAGE, window=0)
        with pytest.raises(InvalidInput, match="plans"):
            forecast_month(a_history(), MARCH, Method.PRODUCTION_PLAN)

    def test_an_empty_history_has_no_last_month(self) -> None:
        with pytest.raises(NotFound):
            forecast_month(MonthlyHistory.of("A-0", {}), MARCH, Method.SEASONAL_NAIVE)

    def test_refuses_negative_energy(self) -> None:
        with pytest.raises(InvalidInput, match="at least 0"):
            MonthlyHistory.of("A-1", {"2025-01": "-1"})


class TestMethodNames:
    def test_finds_a_method_by_name(self) -> None:
        assert Method.named("working_day") is Method.WORKING_DAY

    def test_refuses_an_unknown_name(self) -> None:
        with pytest.raises(NotFound, match="holt"):
            Method.named("holt")


class TestForecastCustomers:
    def test_a_plan_overrides_the_method_and_the_portfolio_adds_up(self) -> None:
        plan = ProductionPlan(account_id="A-2", month="2026-03", kwh="500.5", note="line 2 down")

        made = forecast_customers(
            [a_history("A-2"), a_history("A-1")], MARCH, Method.SEASONAL_NAIVE, plans=[plan]
        )

        assert [(f.account_id, f.kwh, f.method) for f in made] == [
            ("A-1", Decimal("1100.000"), Method.SEASONAL_NAIVE),
            ("A-2", Decimal("500.500"), Method.PRODUCTION_PLAN),
        ]
        assert made[1].basis == "production plan 500.5: line 2 down"
        assert portfolio_total(made) == Decimal("1600.500")
        assert made[0].to_dict()["kwh"] == "1100.000"

    def test_takes_a_method_per_account(self) -> None:
        made = forecast_customers(
            [a_history("A-1"), a_history("A-2")],
            MARCH,
            {"A-1": Method.SEASONAL_NAIVE, "A-2": Method.SAME_MONTH_GROWTH},
        )

        assert [f.kwh for f in made] == [Decimal("1100.000"), Decimal("1210.000")]

    def test_refuses_an_account_without_a_method(self) -> None:
        with pytest.raises(NotFound, match="A-2"):
            forecast_customers([a_history("A-2")], MARCH, {"A-1": Method.SEASONAL_NAIVE})

    def test_a_plan_without_a_note_says_so_plainly(self) -> None:
        plan = ProductionPlan(account_id="A-1", month="2026-03", kwh="7")

        made = forecast_customers([a_history()], MARCH, Method.MOVING_AVERAGE, plans=[plan])

        assert made[0].basis == "production plan 7"


class TestRounding:
    def test_rounds_ties_away_from_zero(self) -> None:
        assert round_kwh(Decimal("0.0005")) == Decimal("0.001")
        assert round_kwh(Decimal("2.0004")) == Decimal("2.000")


class TestSplitExactly:
    def test_gives_the_remainder_to_the_largest_fractions(self) -> None:
        # 1.000 in thirds: 333.33.. units each, one unit left over goes to the first
        assert split_exactly(Decimal("1.000"), [Decimal(1)] * 3) == (
            Decimal("0.334"),
            Decimal("0.333"),
            Decimal("0.333"),
        )

    def test_splits_evenly_when_every_weight_is_zero(self) -> None:
        assert split_exactly(Decimal("0.002"), [Decimal(0), Decimal(0)]) == (
            Decimal("0.001"),
            Decimal("0.001"),
        )

    @pytest.mark.parametrize(
        ("total", "weights"),
        [("1", []), ("1", ["-1", "2"]), ("0.0005", ["1"])],
    )
    def test_refuses_what_it_cannot_split(self, total: str, weights: list[str]) -> None:
        with pytest.raises(InvalidInput):
            split_exactly(Decimal(total), [Decimal(w) for w in weights])


def hourly(day: date, value: str) -> IntervalSeries:
    start = pendulum.datetime(day.year, day.month, day.day, tz="Asia/Shanghai")
    return IntervalSeries.of_actuals(
        meter_id="M-1", start=start, values=[value] * 24, step_minutes=60
    )


class TestWorkingDayProfile:
    # History: Mon 2026-01-05 a working day at 1 kWh an hour, Sun 2026-01-11 at 0.5 kWh.
    HISTORY = (hourly(date(2026, 1, 5), "1"), hourly(date(2026, 1, 11), "0.5"))

    def test_spreads_the_month_by_day_kind_on_the_2026_calendar(self) -> None:
        # Feb 2026: 16 working days x 24 h x 1 + 12 other days x 24 h x 0.5 = 528 weight units
        profile = working_day_profile(
            self.HISTORY, account_id="A-1", month=FEBRUARY, kwh=Decimal("528")
        )

        assert len(profile.values) == 28 * 24
        assert profile.total == Decimal("528")
        sat_14 = profile.values[13 * 24]  # a make-up working day
        mon_16 = profile.values[15 * 24]  # in the Spring Festival
        assert (sat_14, mon_16) == (Decimal("1.000"), Decimal("0.500"))
        assert profile.instant(13 * 24) == pendulum.datetime(2026, 2, 14, tz="Asia/Shanghai")
        assert "1 non-working days, 1 working days" in profile.basis

    def test_adds_up_exactly_whatever_the_total(self) -> None:
        profile = working_day_profile(
            self.HISTORY, account_id="A-1", month=FEBRUARY, kwh=Decimal("1000.001")
        )

        assert profile.total == Decimal("1000.001")
        assert sum(profile.hourly()) == Decimal("1000.001")
        assert len(profile.hourly()) == 28 * 24

    def test_sums_quarter_hours_into_hours(self) -> None:
        start = pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai")
        quarter = IntervalSeries.of_actuals(meter_id="M-1", start=start, values=["1"] * 96)
        weekend = IntervalSeries.of_actuals(
            meter_id="M-1", start=start.add(days=5), values=["1"] * 96 + ["1"] * 95 + [None]
        )

        profile = working_day_profile(
            [quarter, weekend], account_id="A-1", month=FEBRUARY, kwh=Decimal("2688")
        )

        assert len(profile.values) == 28 * 96
        assert profile.hourly()[0] == Decimal("4.000")

    def test_names_a_day_kind_without_history(self) -> None:
        with pytest.raises(ForecastNotPossible, match="non-working day at 00:00"):
            working_day_profile(self.HISTORY[:1], account_id="A-1", month=FEBRUARY, kwh=Decimal(1))

    def test_refuses_no_series_and_mixed_steps(self) -> None:
        with pytest.raises(InvalidInput):
            working_day_profile([], account_id="A-1", month=FEBRUARY, kwh=Decimal(1))
        start = pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai")
        quarter = IntervalSeries.of_actuals(meter_id="M-1", start=start, values=["1"])
        with pytest.raises(InvalidInput, match="one step"):
            working_day_profile(
                [quarter, *self.HISTORY], account_id="A-1", month=FEBRUARY, kwh=Decimal(1)
            )

    def test_refuses_hourly_sums_of_a_step_that_does_not_divide_an_hour(self) -> None:
        profile = working_day_profile(
            self.HISTORY, account_id="A-1", month=FEBRUARY, kwh=Decimal("1")
        )
        odd = profile.__class__(
            account_id="A-1",
            month=FEBRUARY,
            start=profile.start,
            step_minutes=45,
            values=(Decimal(1),),
            basis="",
        )
        with pytest.raises(InvalidInput):
            odd.hourly()


class TestWorkingDaysIn:
    def test_counts_make_up_days_and_not_holidays(self) -> None:
        calendar = ChinaMainlandCalendar.default()

        # 22 weekdays - 1, 2, 5, 6, 7 Oct (National Day) + Sat 10 Oct (make-up) = 18
        assert working_days_in(Month.parse("2026-10"), calendar) == 18


class TestPortfolioProfile:
    def test_sums_the_customers_interval_by_interval(self) -> None:
        history = TestWorkingDayProfile.HISTORY
        one = working_day_profile(history, account_id="A-1", month=FEBRUARY, kwh=Decimal("528"))
        two = working_day_profile(history, account_id="A-2", month=FEBRUARY, kwh=Decimal("0.005"))

        portfolio = portfolio_profile([one, two])

        assert portfolio.total == Decimal("528.005")
        assert portfolio.values[0] == one.values[0] + two.values[0]
        assert portfolio.account_id == "portfolio"

    def test_refuses_nothing_and_profiles_that_do_not_line_up(self) -> None:
        history = TestWorkingDayProfile.HISTORY
        feb = working_day_profile(history, account_id="A-1", month=FEBRUARY, kwh=Decimal("1"))
        mar = working_day_profile(history, account_id="A-2", month=MARCH, kwh=Decimal("1"))

        with pytest.raises(InvalidInput):
            portfolio_profile([])
        with pytest.raises(InvalidInput, match="A-2"):
            portfolio_profile([feb, mar])
