"""Backtest scores worked by hand (see test_forecast for the history: 2025 = 2024 x 1.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.backtest import Backtest, backtest, choose_method, choose_methods
from powerretail.retail.forecast import Method, Month, MonthlyHistory
from tests.unit.retail.test_forecast import a_history

LAST_QUARTER = [Month.parse("2025-10"), Month.parse("2025-11"), Month.parse("2025-12")]


class TestBacktest:
    def test_scores_a_two_month_moving_average_by_hand(self) -> None:
        # origin 2025-10: (1320 + 1100)/2 = 1210 vs 990: +220, 220/990 = 2/9
        # origin 2025-11: (1100 + 990)/2 = 1045 vs 1100: -55, 55/1100 = 1/20
        # origin 2025-12: (990 + 1100)/2 = 1045 vs 1210: -165, 165/1210 = 3/22
        # MAPE = 100 x (2/9 + 1/20 + 3/22)/3 = 100 x 809/5940 = 13.6195... -> 13.62
        # WAPE = 100 x 440/3300 = 13.33; bias = 100 x (220 - 55 - 165)/3300 = 0
        test = backtest([a_history()], Method.MOVING_AVERAGE, origins=LAST_QUARTER, window=2)

        assert [p.forecast_kwh for p in test.points] == [
            Decimal("1210.000"),
            Decimal("1045.000"),
            Decimal("1045.000"),
        ]
        assert (test.mape, test.wape, test.bias) == (
            Decimal("13.62"),
            Decimal("13.33"),
            Decimal("0.00"),
        )

    def test_scores_seasonal_naive_by_hand(self) -> None:
        # 900, 1000, 1100 vs 990, 1100, 1210: each 1/11 low; 100/11 = 9.0909... -> 9.09
        test = backtest([a_history()], Method.SEASONAL_NAIVE, origins=LAST_QUARTER)

        assert (test.mape, test.wape, test.bias) == (
            Decimal("9.09"),
            Decimal("9.09"),
            Decimal("-9.09"),
        )
        assert test.score("abs_bias") == Decimal("9.09")
        assert test.to_dict() == {
            "method": "seasonal_naive",
            "points": 3,
            "skipped": 0,
            "mape": "9.09",
            "wape": "9.09",
            "bias": "-9.09",
        }

    def test_skips_and_counts_the_points_a_method_cannot_forecast(self) -> None:
        test = backtest([a_history()], Method.SAME_MONTH_GROWTH, origins=LAST_QUARTER)

        assert (len(test.points), test.skipped) == (0, 3)
        assert (test.mape, test.wape, test.bias) == (None, None, None)
        assert test.score("abs_bias") is None
        assert test.to_dict()["wape"] is None

    def test_rolls_over_every_month_by_default_and_looks_ahead_by_the_horizon(self) -> None:
        test = backtest([a_history()], Method.SEASONAL_NAIVE, horizon=2)

        # origins 2024-02..2025-12 whose month+1 is known and a year back exists: 2025-01..2025-11
        assert [str(p.origin) for p in test.points][:2] == ["2024-12", "2025-01"]
        assert test.points[0].month == Month.parse("2025-01")
        assert test.bias == Decimal("-9.09")

    def test_mape_leaves_out_zero_months_but_wape_keeps_them(self) -> None:
        history = MonthlyHistory.of("A-0", {"2025-01": "0", "2025-02": "10", "2025-03": "0"})

        test = backtest([history], Method.MOVING_AVERAGE, window=1)

        # 2025-02: 0 vs 10 (|e|=10); 2025-03: 10 vs 0 (|e|=10); MAPE over 2025-02 only: 100%
        assert (test.mape, test.wape, test.bias) == (
            Decimal("100.00"),
            Decimal("200.00"),
            Decimal("0.00"),
        )

    def test_has_no_weighted_scores_without_energy(self) -> None:
        history = MonthlyHistory.of("A-0", {"2025-01": "0", "2025-02": "0"})

        test = backtest([history], Method.MOVING_AVERAGE, window=1)

        assert (test.mape, test.wape, test.bias) == (None, None, None)

    def test_refuses_a_horizon_below_one_and_an_unknown_criterion(self) -> None:
        with pytest.raises(InvalidInput, match="horizon"):
            backtest([a_history()], Method.SEASONAL_NAIVE, horizon=0)
        with pytest.raises(InvalidInput, match="wape, mape, abs_bias"):
            Backtest(method=Method.SEASONAL_NAIVE, points=()).score("rmse")


class TestChooseMethod:
    def backtests(self) -> list[Backtest]:
        return [
            backtest([a_history()], Method.MOVING_AVERAGE, origins=LAST_QUARTER, window=2),
            backtest([a_history()], Method.SEASONAL_NAIVE, origins=LAST_QUARTER),
            backtest([a_history()], Method.SAME_MONTH_GROWTH, origins=LAST_QUARTER),
        ]

    def test_picks_the_lowest_wape(self) -> None:
        choice = choose_method(self.backtests(), criterion="wape", customer_class="industrial")

        assert choice.method is Method.SEASONAL_NAIVE
        assert choice.explain() == (
            "industrial: seasonal_naive (lowest wape: moving_average 13.33, seasonal_naive 9.09, "
            "same_month_growth None)"
        )

    def test_picks_the_least_biased_by_abs_bias(self) -> None:
        assert choose_method(self.backtests(), criterion="abs_bias").method is Method.MOVING_AVERAGE

    def test_a_tie_goes_to_the_method_listed_first(self) -> None:
        tests = self.backtests()
        assert choose_method(tests[1:2] * 2, criterion="mape").method is Method.SEASONAL_NAIVE
        mirrored = [tests[1], Backtest(method=Method.WORKING_DAY, points=tests[1].points)]
        assert choose_method(mirrored).method is Method.SEASONAL_NAIVE

    def test_refuses_an_unknown_criterion_and_nothing_scored(self) -> None:
        with pytest.raises(InvalidInput, match="criterion"):
            choose_method(self.backtests(), criterion="rmse")
        with pytest.raises(NotFound, match="retail"):
            choose_method(self.backtests()[2:], customer_class="retail")


class TestChooseMethods:
    def test_chooses_per_customer_class(self) -> None:
        flat = MonthlyHistory.of(
            "B-1", {f"2025-{m:02d}": "100" for m in range(1, 13)}, customer_class="commercial"
        )

        chosen = choose_methods(
            [a_history(), flat], [Method.MOVING_AVERAGE, Method.SEASONAL_NAIVE], window=2
        )

        assert {name: c.method for name, c in chosen.items()} == {
            "commercial": Method.MOVING_AVERAGE,
            "industrial": Method.SEASONAL_NAIVE,
        }

    def test_refuses_no_methods(self) -> None:
        with pytest.raises(InvalidInput):
            choose_methods([a_history()], [])


def test_a_year_the_calendar_does_not_cover_is_skipped_not_fatal() -> None:
    history = MonthlyHistory.of("A-1", {"2003-01": "10", "2004-01": "10", "2005-01": "12"})

    test = backtest([history], Method.WORKING_DAY)

    # 2004-01 needs 2003's working days (not covered); 2005-01 is scored
    assert (len(test.points), test.skipped) == (1, 1)
