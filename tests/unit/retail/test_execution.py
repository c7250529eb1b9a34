"""Contract execution tracking: projections and band alerts, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.execution import (
    EXECUTION_BANDS,
    ContractedEnergy,
    ExecutionBand,
    MonthToDate,
    execution_band,
    project_month_end,
    track_execution,
    track_one,
)
from powerretail.retail.forecast import Month

BAND = ExecutionBand(key="BAND-3", lower="-0.03", upper="0.03", source="retail contract art. 5")
MARCH, FEBRUARY = Month.parse("2026-03"), Month.parse("2026-02")


def contracted(kwh: str, account_id: str = "A-1", month: Month = MARCH) -> ContractedEnergy:
    return ContractedEnergy(account_id=account_id, month=month, kwh=kwh)


def to_date(kwh: str, day: int, account_id: str = "A-1", month: Month = MARCH) -> MonthToDate:
    return MonthToDate(
        account_id=account_id, month=month, kwh=kwh, through=date(month.year, month.month, day)
    )


class TestProjectMonthEnd:
    def test_scales_by_calendar_days(self) -> None:
        # 10000 kWh in 10 of 31 days: 10000 x 31 / 10 = 31000
        assert project_month_end(to_date("10000", 10)) == (
            Decimal("31000.000"),
            "10000 kWh × 31 days / 10 days elapsed",
        )

    def test_scales_by_working_days_across_the_spring_festival(self) -> None:
        # Feb 2026 through the 14th: working days 2-6, 9-13 and Sat 14 (make-up) = 11 of 16
        # 1100 x 16 / 11 = 1600
        projected, how = project_month_end(
            to_date("1100", 14, month=FEBRUARY), calendar=ChinaMainlandCalendar.default()
        )

        assert projected == Decimal("1600.000")
        assert how == "1100 kWh × 16 working days / 11 working days elapsed"

    def test_falls_back_to_calendar_days_before_any_working_day(self) -> None:
        # 1 Feb 2026 is a Sunday
        projected, _ = project_month_end(
            to_date("10", 1, month=FEBRUARY), calendar=ChinaMainlandCalendar.default()
        )

        assert projected == Decimal("280.000")

    def test_a_whole_month_is_its_own_projection(self) -> None:
        assert project_month_end(to_date("123.4567", 31)) == (
            Decimal("123.457"),
            "the whole month metered",
        )


class TestTrackOne:
    def test_is_quiet_inside_the_band(self) -> None:
        # 10000 x 31 / 10 = 31000 vs 30500: +1.64% inside +-3%
        line = track_one(contracted("30500"), to_date("10000", 10), band=BAND)

        assert line.alert is None
        assert line.to_dict()["deviation"] == "0.0164"

    def test_alerts_over_the_band_naming_the_rule_and_the_numbers(self) -> None:
        # 31000 vs 30000: +3.33% (1000/30000 = 0.03333...) over +3%
        line = track_one(contracted("30000"), to_date("10000", 10), band=BAND)

        assert line.alert is not None
        assert line.alert.side == "over"
        assert line.alert.message == (
            "A-1 2026-03: projected 31000.000 kWh (10000 kWh × 31 days / 10 days elapsed) "
            "against 30000 kWh contracted: deviation 3.33% is over the band -3% to +3% "
            "(BAND-3: retail contract art. 5)"
        )
        assert line.to_dict()["alert"] == line.alert.message

    def test_alerts_under_the_band(self) -> None:
        # 31000 vs 32000: -3.125% under -3%
        line = track_one(contracted("32000"), to_date("10000", 10), band=BAND)

        assert line.alert is not None
        assert line.alert.side == "under"
        assert "deviation -3.13% is under" in line.alert.message

    def test_the_band_edge_is_inside(self) -> None:
        # 30900 vs 30000 is exactly +3%
        line = track_one(contracted("30000"), to_date("30900", 31), band=BAND)

        assert line.deviation == Decimal("0.03")
        assert line.alert is None

    def test_energy_against_nothing_contracted_is_an_alert(self) -> None:
        band = ExecutionBand(key="B", lower="0", upper="0")

        line = track_one(contracted("0"), to_date("1", 1), band=band)

        assert line.deviation is None
        assert line.alert is not None
        assert line.alert.message.endswith("against nothing contracted (B)")
        assert line.to_dict()["deviation"] is None
        assert track_one(contracted("0"), to_date("0", 1), band=band).alert is None

    def test_refuses_actuals_of_another_user(self) -> None:
        with pytest.raises(InvalidInput, match="A-1 2026-03"):
            track_one(contracted("1"), to_date("1", 1, account_id="A-2"), band=BAND)


class TestTrackExecution:
    def test_tracks_every_user_with_its_own_band(self) -> None:
        wide = ExecutionBand(key="BAND-10", lower="-0.1", upper="0.1")

        lines = track_execution(
            [contracted("30000"), contracted("30000", "A-2")],
            [to_date("10000", 10, "A-2"), to_date("10000", 10)],
            band=BAND,
            bands={"A-2": wide},
        )

        assert [(ln.account_id, ln.alert is None) for ln in lines] == [
            ("A-1", False),
            ("A-2", True),
        ]

    def test_refuses_actuals_without_a_contract(self) -> None:
        with pytest.raises(NotFound, match="A-2 2026-03"):
            track_execution([contracted("1")], [to_date("1", 1, "A-2")], band=BAND)


class TestValues:
    def test_refuses_a_day_outside_the_month_and_negative_energy(self) -> None:
        with pytest.raises(InvalidInput, match="a day of 2026-03"):
            MonthToDate(account_id="A", month=MARCH, kwh="1", through=date(2026, 4, 1))
        with pytest.raises(InvalidInput, match="at least 0"):
            contracted("-1")

    def test_refuses_a_band_on_the_wrong_side(self) -> None:
        with pytest.raises(InvalidInput, match="at most 0"):
            ExecutionBand(key="X", lower="0.01", upper="0.1")
        with pytest.raises(InvalidInput, match="at least 0"):
            ExecutionBand(key="X", lower="-0.01", upper="-0.1")


class TestExecutionBands:
    def test_the_generic_bands_are_data(self) -> None:
        band = execution_band("BAND-5")

        assert (band.lower, band.upper) == (Decimal("-0.05"), Decimal("0.05"))
        assert band.describe() == "-5% to +5%"
        assert sorted(EXECUTION_BANDS) == ["BAND-10", "BAND-3", "BAND-5"]

    def test_names_an_unknown_band(self) -> None:
        with pytest.raises(NotFound, match="BAND-7"):
            execution_band("BAND-7")
