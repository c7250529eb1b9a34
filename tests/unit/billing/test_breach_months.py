"""Part months and unknown durations in breach-of-use charges, and monthly loss tables.

Amounts worked by hand from 《供电营业规则》(1996) 第100条 (items 1, 2 and 4) with months counted
as whole calendar months plus 1/30 of a month a day (or every day 1/30), and "three months"
of unknown duration as 3 × 30 = 90 days (or three calendar months).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from powerretail.billing.back_charges import (
    LoadKind,
    breach_category_misuse,
    breach_extra_capacity,
    breach_suspended_equipment,
)
from powerretail.billing.breach import MonthCount, UnknownDuration, months_used, unknown_start
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.errors import InvalidInput
from powerretail.quantities import ApparentPower, CapacityPrice, EnergyPrice, Power
from powerretail.tariffs.losses import LossBand, TableLookup
from powerretail.timeframe import DateRange

from .builders import energy, one_version

FOUND = date(2025, 6, 21)
USED = DateRange("2025-03-11", "2025-06-21")


def amounts(doc: object) -> list[str]:
    return [str(line.amount.amount) for line in doc.lines]  # type: ignore[attr-defined]


class TestExtraCapacityPartMonths:
    def test_whole_months_plus_days_over_thirty(self) -> None:
        """200 kVA added 11 March, found 21 June: 3 months (to 11 June) + 10 days = 3 + 10/30.

        Back charge 200 × 26 × 10/3 = 17 333.33; liquidated 3 × 17 333.33 = 51 999.99.
        """
        doc = breach_extra_capacity(
            discovered_on=FOUND,
            extra_capacity=ApparentPower("200"),
            two_part=True,
            price=CapacityPrice("26"),
            used=USED,
        )

        assert amounts(doc) == ["17333.33", "51999.99"]
        assert doc.lines[0].quantity == Decimal("666.6667")
        assert doc.facts == (
            (
                "used [2025-03-11, 2025-06-21): 3 + 10/30 months (whole calendar months from the "
                "first day, then 1/30 of a month a day)"
            ),
        )

    def test_every_day_over_thirty(self) -> None:
        """102 days / 30 = 3.4 months: 200 × 26 × 3.4 = 17 680.00; liquidated 53 040.00."""
        doc = breach_extra_capacity(
            discovered_on=FOUND,
            extra_capacity=ApparentPower("200"),
            two_part=True,
            price=CapacityPrice("26"),
            used=USED,
            month_count=MonthCount.DAYS_OVER_30,
        )

        assert amounts(doc) == ["17680.00", "53040.00"]
        assert "every day 1/30 of a month" in doc.facts[0]

    def test_whole_months_unchanged(self) -> None:
        """rules worked example: 200 × 26 × 3 = 15 600.00, liquidated 46 800.00."""
        doc = breach_extra_capacity(
            discovered_on=FOUND,
            extra_capacity=ApparentPower("200"),
            two_part=True,
            price=CapacityPrice("26"),
            used=DateRange("2025-03-21", "2025-06-21"),
        )

        assert amounts(doc) == ["15600.00", "46800.00"]
        assert doc.lines[0].quantity == Decimal(600)

    def test_a_fraction_of_months_may_be_given(self) -> None:
        doc = breach_extra_capacity(
            discovered_on=FOUND,
            extra_capacity=ApparentPower("200"),
            two_part=True,
            price=CapacityPrice("26"),
            months=Fraction(10, 3),
        )

        assert amounts(doc) == ["17333.33", "51999.99"]

    def test_months_and_a_period_are_not_both_given(self) -> None:
        with pytest.raises(InvalidInput, match="not both"):
            breach_extra_capacity(
                discovered_on=FOUND,
                extra_capacity=ApparentPower("200"),
                two_part=True,
                price=CapacityPrice("26"),
                months=2,
                used=USED,
            )

    def test_a_single_part_user_is_charged_per_kw_whatever_the_period(self) -> None:
        doc = breach_extra_capacity(
            discovered_on=FOUND, extra_capacity=Power("20"), two_part=False, used=USED
        )

        assert amounts(doc) == ["1000.00"]
        assert doc.facts == ()


class TestSuspendedEquipmentPartMonths:
    def test_unsealed_suspended_equipment_for_a_part_month(self) -> None:
        """315 kVA used while suspended 1–16 July (15 days = 15/30): 315 × 26 × 1/2 = 4 095.00;
        liquidated 2× = 8 190.00."""
        doc = breach_suspended_equipment(
            discovered_on=date(2025, 7, 16),
            capacity=ApparentPower("315"),
            two_part=True,
            price=CapacityPrice("26"),
            used=DateRange("2025-07-01", "2025-07-16"),
        )

        assert amounts(doc) == ["4095.00", "8190.00"]

    def test_single_part_each_time(self) -> None:
        doc = breach_suspended_equipment(
            discovered_on=date(2025, 7, 16),
            capacity=Power("10"),
            two_part=False,
            used=DateRange("2025-07-01", "2025-07-16"),
        )

        assert amounts(doc) == ["300.00"]


class TestUnknownDuration:
    def test_three_months_are_ninety_days_by_default(self) -> None:
        """Found 31 May 2025: 90 days back is 2 March; 10 kW lighting × 90 d × 6 h = 5 400 kWh;
        × 0.1 = 540.00, liquidated 2× = 1 080.00."""
        doc = breach_category_misuse(
            discovered_on=date(2025, 5, 31),
            price_difference=EnergyPrice("0.1"),
            capacity=ApparentPower("10"),
            load_kind=LoadKind.LIGHTING,
        )

        assert amounts(doc) == ["540.00", "1080.00"]
        assert doc.facts[0].startswith(
            "duration unknown: 3 months of 30 days [2025-03-02, 2025-05-31) = 90 d × 6 h"
        )

    def test_calendar_months_as_an_option(self) -> None:
        """Three calendar months back from 31 May is 28 February: 92 days × 6 h × 10 = 5 520 kWh."""
        doc = breach_category_misuse(
            discovered_on=date(2025, 5, 31),
            price_difference=EnergyPrice("0.1"),
            capacity=ApparentPower("10"),
            load_kind=LoadKind.LIGHTING,
            unknown_duration=UnknownDuration.CALENDAR_MONTHS,
        )

        assert amounts(doc) == ["552.00", "1104.00"]
        assert "3 calendar months [2025-02-28, 2025-05-31) = 92 d" in doc.facts[0]

    def test_helpers(self) -> None:
        assert unknown_start(date(2025, 5, 31), 6) == date(2024, 12, 2)
        assert months_used(DateRange("2025-07-01", "2025-08-01")) == 1
        with pytest.raises(InvalidInput, match="used"):
            months_used(DateRange("2025-07-01", None))


class TestLossTablePartMonths:
    def test_a_monthly_table_is_prorated_by_days(self) -> None:
        """Opened 11 July (21 days = 21/30 month), 700 kWh read: 1 000 kWh a month → first band
        (30 kWh a month); losses 30 × 21/30 = 21 kWh; 721 kWh × 0.5 = 360.50."""
        table = TableLookup(bands=(LossBand(1000, 30, 60), LossBand(None, 80, 150)))
        facts = AccountFacts(loss_model=table, opened_on="2025-07-11")

        bill = price_bill(
            one_version(energy()),
            Determinants(energy_kwh={"total": "700"}),
            DateRange.month(2025, 7),
            facts,
        )

        assert bill.lines[0].quantity == Decimal("721.000")
        assert str(bill.total.amount) == "360.50"

    def test_a_whole_month_takes_the_table_as_it_is(self) -> None:
        table = TableLookup(bands=(LossBand(1000, 30, 60), LossBand(None, 80, 150)))

        assert table.losses_over(Decimal(1500), Decimal(0), Fraction(1)) == (
            Decimal(80),
            Decimal(150),
        )
        with pytest.raises(InvalidInput, match="months"):
            table.losses_over(Decimal(1), Decimal(0), Fraction(0))
