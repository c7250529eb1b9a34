"""Golden bills for the tariff features of any utility, each amount worked by hand.

Minimum bills, daily fixed charges, tier bounds per day and per year, and the open last tier.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from powerretail.billing._i18n import note_text
from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import price_bill
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import (
    BucketPrice,
    BucketTiers,
    Charge,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow
from powerretail.timeframe import DateRange
from tests.strategies.tariffs import NAMES, SCHEDULE


def tariff_of(*charges: Charge, currency: str = "CNY") -> Tariff:
    return Tariff(
        code="ANY",
        name_zh="任意",
        name_en="any",
        category="residential",
        currency=currency,
        versions=[TariffVersion(label="1", effective_from="2020-01-01", charges=charges)],
    )


def daily(amount: str = "0.50") -> DailyCharge:
    return DailyCharge(code="customer", **NAMES, yuan_per_day=amount)


def energy(price: str = "0.10") -> EnergyCharge:
    return EnergyCharge(code="energy", **NAMES, yuan_per_kwh=price)


def minimum(**per: str) -> MinimumCharge:
    return MinimumCharge(code="minimum", **NAMES, **per)


def kwh(total: str) -> Determinants:
    return Determinants(energy_kwh={"total": total})


def amounts(bill: object) -> dict[str, str]:
    return {line.code: str(line.amount.amount) for line in bill.lines}  # type: ignore[attr-defined]


class TestMinimumBill:
    def test_lines_above_the_minimum_need_no_line(self) -> None:
        """July 2025, 50 kWh: 31 days × 0.50 = 15.50, 50 × 0.10 = 5.00; 20.50 ≥ 20: no line."""
        tariff = tariff_of(daily(), energy(), minimum(yuan_per_month="20"))
        bill = price_bill(tariff, kwh("50"), DateRange.month(2025, 7))
        assert amounts(bill) == {"customer": "15.50", "energy": "5.00"}

    def test_a_short_month_is_brought_up_to_the_minimum(self) -> None:
        """July 2025, 20 kWh: 15.50 + 2.00 = 17.50 < 20.00: the minimum line is 2.50."""
        tariff = tariff_of(daily(), energy(), minimum(yuan_per_month="20"))
        bill = price_bill(tariff, kwh("20"), DateRange.month(2025, 7))
        assert amounts(bill) == {"customer": "15.50", "energy": "2.00", "minimum": "2.50"}
        assert str(bill.total) == "20.00 CNY"
        line = bill.lines[-1]
        assert line.note == "minimum 20 元/月 × 1 月 = 20.00; lines 17.50: shortfall 2.50 billed"
        assert (line.quantity, line.rate, line.unit) == (Decimal("2.50"), 1, "元")

    def test_a_part_month_minimum_is_prorated_like_a_fixed_charge(self) -> None:
        """10 Jul - 1 Aug 2025 (22 days = 22/30 month), 10 kWh.

        Minimum 20 × 22/30 = 14.666… → 14.67; lines 22 × 0.50 = 11.00 and 10 × 0.10 = 1.00,
        12.00 in all: the minimum line is 2.67 and the bill 14.67.
        """
        tariff = tariff_of(daily(), energy(), minimum(yuan_per_month="20"))
        bill = price_bill(tariff, kwh("10"), DateRange("2025-07-10", "2025-08-01"))
        assert amounts(bill) == {"customer": "11.00", "energy": "1.00", "minimum": "2.67"}
        assert str(bill.total) == "14.67 CNY"

    def test_a_minimum_per_day(self) -> None:
        """July 2025, 0 kWh, minimum 0.60 a day: 31 × 0.60 = 18.60; lines 15.50: line 3.10."""
        tariff = tariff_of(daily(), energy(), minimum(yuan_per_day="0.60"))
        bill = price_bill(tariff, kwh("0"), DateRange.month(2025, 7))
        assert amounts(bill)["minimum"] == "3.10"
        assert str(bill.total) == "18.60 CNY"
        assert bill.lines[-1].note.startswith("minimum 0.60 元/天 × 31 天 = 18.60")

    def test_the_minimum_counts_lines_wherever_it_sits(self) -> None:
        """The minimum listed first still compares with every other line (2.50 as above)."""
        tariff = tariff_of(minimum(yuan_per_month="20"), daily(), energy())
        bill = price_bill(tariff, kwh("20"), DateRange.month(2025, 7))
        assert amounts(bill)["minimum"] == "2.50"
        assert bill.lines[-1].code == "minimum"

    @pytest.mark.parametrize(
        ("per", "match"),
        [
            ({}, "either yuan_per_month or yuan_per_day"),
            ({"yuan_per_month": "1", "yuan_per_day": "1"}, "either"),
            ({"yuan_per_month": "-1"}, "zero or more"),
        ],
    )
    def test_a_minimum_needs_one_amount_of_zero_or_more(
        self, per: dict[str, str], match: str
    ) -> None:
        with pytest.raises(InvalidInput, match=match):
            minimum(**per)

    def test_one_minimum_per_version(self) -> None:
        second = MinimumCharge(code="minimum2", **NAMES, yuan_per_day="1")
        with pytest.raises(InvalidInput, match="one such charge"):
            tariff_of(energy(), minimum(yuan_per_month="20"), second)


class TestDailyCharge:
    def test_a_read_cycle_of_33_days_pays_33_days(self) -> None:
        """15 Jan - 17 Feb 2025 is 33 days: 33 × 0.4929 = 16.2657 → 16.27."""
        bill = price_bill(
            tariff_of(daily("0.4929")), kwh("0"), DateRange("2025-01-15", "2025-02-17")
        )
        line = bill.lines[0]
        assert (line.quantity, line.unit, line.rate_unit) == (33, "天", "元/天")
        assert str(line.amount.amount) == "16.27"


def tiers(bounds_per: TierBounds, *ladder: Tier) -> MonthlyTiers:
    return MonthlyTiers(code="tier", **NAMES, tiers=ladder, bounds_per=bounds_per)


class TestTierBounds:
    def test_bounds_per_day_scale_with_the_days_of_the_cycle(self) -> None:
        """10 kWh a day over 15 Jan - 17 Feb 2025 (33 days): the first tier is 330 kWh.

        400 kWh: 330 × 0.30 = 99.00 and 70 × 0.50 = 35.00.
        """
        tariff = tariff_of(tiers(TierBounds.DAY, Tier(10, "0.30"), Tier(None, "0.50")))
        bill = price_bill(tariff, kwh("400"), DateRange("2025-01-15", "2025-02-17"))
        assert [(ln.quantity, str(ln.amount.amount)) for ln in bill.lines] == [
            (330, "99.00"),
            (70, "35.00"),
        ]
        assert bill.lines[0].note == (
            "tier 1 up to 330 kWh; position 0 → 400 kWh; bounds per day × 33 days"
        )

    def test_bounds_per_month_over_the_same_cycle(self) -> None:
        """300 kWh a month over 15 Jan - 17 Feb 2025 = 1 month + 2/30: the first tier is 320 kWh.

        400 kWh: 320 × 0.30 = 96.00 and 80 × 0.50 = 40.00.
        """
        tariff = tariff_of(tiers(TierBounds.MONTH, Tier(300, "0.30"), Tier(None, "0.50")))
        bill = price_bill(tariff, kwh("400"), DateRange("2025-01-15", "2025-02-17"))
        assert [str(ln.amount.amount) for ln in bill.lines] == ["96.00", "40.00"]

    def test_bounds_per_year_take_a_twelfth_a_month(self) -> None:
        """2400 kWh a year, July 2025 (one month): the first tier is 200 kWh.

        250 kWh: 200 × 0.40 = 80.00 and 50 × 0.60 = 30.00.
        """
        tariff = tariff_of(tiers(TierBounds.YEAR, Tier(2400, "0.40"), Tier(None, "0.60")))
        bill = price_bill(tariff, kwh("250"), DateRange.month(2025, 7))
        assert [str(ln.amount.amount) for ln in bill.lines] == ["80.00", "30.00"]
        assert bill.lines[0].note.endswith("bounds per year × 1/12 months")

    def test_an_unknown_bound_basis_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="month, day or year"):
            MonthlyTiers(code="t", **NAMES, tiers=[Tier(None, 1)], bounds_per="week")


class TestOpenLastTier:
    def test_a_bound_on_the_last_tier_is_dropped(self) -> None:
        """Tiers to 200 at 0.40 and 'to 1000' at 0.60; 1500 kWh: 80.00 + 1300 × 0.60 = 780.00."""
        bounded = tiers(TierBounds.MONTH, Tier(200, "0.40"), Tier(1000, "0.60"))
        assert bounded.tiers[-1] == Tier(None, "0.60")
        bill = price_bill(tariff_of(bounded), kwh("1500"), DateRange.month(2025, 7))
        assert [str(ln.amount.amount) for ln in bill.lines] == ["80.00", "780.00"]

    def test_a_last_bound_must_still_rise(self) -> None:
        with pytest.raises(InvalidInput, match="a bound above 200"):
            tiers(TierBounds.MONTH, Tier(200, "0.40"), Tier(100, "0.60"))


def tou_tiers(bounds_per: TierBounds = TierBounds.MONTH) -> TimeOfUseTiers:
    return TimeOfUseTiers(
        code="tou",
        **NAMES,
        schedule="day_night",
        bounds_per=bounds_per,
        buckets=[
            BucketTiers(bucket="peak", tiers=[Tier(100, "0.60"), Tier(None, "0.80")]),
            BucketTiers(bucket="valley", tiers=[Tier(200, "0.30"), Tier(None, "0.40")]),
        ],
    )


def tou_tariff(charge: TimeOfUseTiers) -> Tariff:
    version = TariffVersion(
        label="1", effective_from="2020-01-01", schedules={"day_night": SCHEDULE}, charges=[charge]
    )
    return Tariff(
        code="TT", name_zh="分时阶梯", name_en="tou tiers", category="other", versions=[version]
    )


class TestTiersInsideTimeOfUse:
    def test_each_bucket_climbs_its_own_ladder(self) -> None:
        """July 2025, peak 150 kWh and valley 250 kWh.

        Peak: 100 × 0.60 = 60.00 and 50 × 0.80 = 40.00; valley: 200 × 0.30 = 60.00 and
        50 × 0.40 = 20.00; 180.00 in all.
        """
        usage = Determinants(energy_kwh={"peak": "150", "valley": "250"})
        bill = price_bill(tou_tariff(tou_tiers()), usage, DateRange.month(2025, 7))
        assert amounts(bill) == {
            "tou.peak.tier1": "60.00",
            "tou.peak.tier2": "40.00",
            "tou.valley.tier1": "60.00",
            "tou.valley.tier2": "20.00",
        }
        assert str(bill.total) == "180.00 CNY"
        assert bill.lines[0].description_en == "charge, peak (tier 1)"

    def test_bounds_per_day_inside_a_bucket(self) -> None:
        """Peak ladder 100 kWh a day over 3 days (1-4 Jul 2025): 300 kWh; 350 → 180.00 + 40.00."""
        usage = Determinants(energy_kwh={"peak": "350"})
        bill = price_bill(
            tou_tariff(tou_tiers(TierBounds.DAY)), usage, DateRange("2025-07-01", "2025-07-04")
        )
        assert amounts(bill) == {"tou.peak.tier1": "180.00", "tou.peak.tier2": "40.00"}

    def test_a_bucket_the_schedule_lacks_is_refused(self) -> None:
        usage = Determinants(energy_kwh={"total": "10"})
        with pytest.raises(InvalidInput, match="a bucket of schedule day_night"):
            price_bill(tou_tariff(tou_tiers()), usage, DateRange.month(2025, 7))

    def test_every_bucket_of_the_schedule_needs_a_ladder(self) -> None:
        only_peak = TimeOfUseTiers(
            code="tou",
            **NAMES,
            schedule="day_night",
            buckets=[BucketTiers(bucket="peak", tiers=[Tier(None, "0.60")])],
        )
        with pytest.raises(InvalidInput, match="a price for every bucket"):
            tou_tariff(only_peak)

    def test_a_bucket_is_laddered_once(self) -> None:
        twice = [BucketTiers(bucket="peak", tiers=[Tier(None, 1)])] * 2
        with pytest.raises(InvalidInput, match="a bucket once"):
            TimeOfUseTiers(code="t", **NAMES, schedule="s", buckets=twice)
        with pytest.raises(InvalidInput, match="at least one bucket"):
            TimeOfUseTiers(code="t", **NAMES, schedule="s", buckets=[])


class TestProration:
    """A 33-day read cycle, 15 Jan - 17 Feb 2025, under each convention, fixed 30.00 a month."""

    @pytest.mark.parametrize(
        ("proration", "amount"),
        [
            # 1 month + 2 days / 30 = 16/15: 30 × 16/15 = 32.00
            (Proration.CALENDAR_30, "32.00"),
            # 17/31 + 16/28 = 243/217: 30 × 243/217 = 33.594… → 33.59
            (Proration.DAYS_IN_MONTH, "33.59"),
            # 33/30: 33.00
            (Proration.DAYS_OVER_30, "33.00"),
            # one bill, one month: 30.00
            (Proration.NONE, "30.00"),
        ],
    )
    def test_a_fixed_charge_under_each_convention(self, proration: Proration, amount: str) -> None:
        fixed = FixedCharge(code="fixed", **NAMES, yuan_per_month="30")
        tariff = attrs.evolve(tariff_of(fixed), proration=proration)
        bill = price_bill(tariff, kwh("0"), DateRange("2025-01-15", "2025-02-17"))
        assert str(bill.lines[0].amount.amount) == amount

    def test_days_in_month_counts_each_piece_in_its_own_months(self) -> None:
        """A version change on 1 Feb: 17 days of January (17/31) and 16 of February (16/28).

        30 × 17/31 = 16.451… → 16.45 and 30 × 16/28 = 17.142… → 17.14.
        """
        fixed = FixedCharge(code="fixed", **NAMES, yuan_per_month="30")
        versions = [
            TariffVersion(
                label="a", effective_from="2020-01-01", effective_to="2025-02-01", charges=[fixed]
            ),
            TariffVersion(label="b", effective_from="2025-02-01", charges=[fixed]),
        ]
        tariff = Tariff(
            code="P",
            name_zh="分",
            name_en="p",
            category="other",
            versions=versions,
            proration="days_in_month",
        )
        bill = price_bill(tariff, kwh("0"), DateRange("2025-01-15", "2025-02-17"))
        assert [str(line.amount.amount) for line in bill.lines] == ["16.45", "17.14"]

    def test_tier_bounds_per_month_follow_the_convention(self) -> None:
        """Bounds 300 kWh a month, days_over_30: 300 × 33/30 = 330; 400 kWh → 99.00 + 35.00."""
        ladder = tiers(TierBounds.MONTH, Tier(300, "0.30"), Tier(None, "0.50"))
        tariff = attrs.evolve(tariff_of(ladder), proration=Proration.DAYS_OVER_30)
        bill = price_bill(tariff, kwh("400"), DateRange("2025-01-15", "2025-02-17"))
        assert [str(line.amount.amount) for line in bill.lines] == ["99.00", "35.00"]

    def test_an_unknown_convention_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="calendar_30, days_in_month"):
            attrs.evolve(tariff_of(energy()), proration="weekly")


SEASONAL = TouSchedule(
    name="seasonal",
    timezone="America/New_York",
    seasons=(
        Season(
            name="winter",
            months=(1, 2, 3, 4, 5, 10, 11, 12),
            windows=(TouWindow("winter", "00:00", "24:00"),),
        ),
        Season(
            name="summer", months=(6, 7, 8, 9), windows=(TouWindow("summer", "00:00", "24:00"),)
        ),
    ),
)
MAY_JUNE = DateRange("2025-05-15", "2025-06-17")  # 17 days of May, 16 of June


def seasonal_tariff(charge: Charge) -> Tariff:
    version = TariffVersion(
        label="1", effective_from="2020-01-01", schedules={"seasonal": SEASONAL}, charges=[charge]
    )
    return Tariff(
        code="S", name_zh="季节", name_en="seasonal", category="other", versions=[version]
    )


def seasonal_prices() -> TimeOfUseCharge:
    return TimeOfUseCharge(
        code="energy",
        **NAMES,
        schedule="seasonal",
        prices=[
            BucketPrice(bucket="winter", yuan_per_kwh="0.10"),
            BucketPrice(bucket="summer", yuan_per_kwh="0.20"),
        ],
    )


class TestSeasonsByDays:
    def test_a_total_over_a_season_change_is_shared_by_days(self) -> None:
        """330 kWh over 15 May - 17 Jun: 330 × 17/33 = 170 winter, 160 summer.

        170 × 0.10 = 17.00 and 160 × 0.20 = 32.00.
        """
        bill = price_bill(seasonal_tariff(seasonal_prices()), kwh("330"), MAY_JUNE)
        assert [(ln.code, ln.quantity, str(ln.amount.amount)) for ln in bill.lines] == [
            ("energy.winter", 170, "17.00"),
            ("energy.summer", 160, "32.00"),
        ]
        assert (
            bill.lines[0].note == "total 330 kWh shared by days (winter 17, summer 16 of 33 days)"
        )

    def test_the_shares_keep_every_kwh(self) -> None:
        """100 kWh: 100 × 17/33 = 51.5151… → 51.515 and 48.485 (three decimals finer).

        51.515 × 0.10 = 5.1515 → 5.15; 48.485 × 0.20 = 9.697 → 9.70.
        """
        bill = price_bill(seasonal_tariff(seasonal_prices()), kwh("100"), MAY_JUNE)
        assert [(ln.quantity, str(ln.amount.amount)) for ln in bill.lines] == [
            (Decimal("51.515"), "5.15"),
            (Decimal("48.485"), "9.70"),
        ]

    def test_seasonal_tiers_scale_each_season_by_its_days(self) -> None:
        """10 kWh a day in each season; 400 kWh over 15 May - 17 Jun (17 + 16 days).

        Shares: 400 × 17/33 = 206.0606… → 206.061 winter, 193.939 summer. Winter: first tier
        170 kWh × 0.10 = 17.00, 36.061 × 0.20 = 7.2122 → 7.21; summer: 160 × 0.10 = 16.00,
        33.939 × 0.20 = 6.7878 → 6.79. 47.00 in all.
        """
        ladder = [Tier(10, "0.10"), Tier(None, "0.20")]
        charge = TimeOfUseTiers(
            code="energy",
            **NAMES,
            schedule="seasonal",
            bounds_per=TierBounds.DAY,
            buckets=[BucketTiers(bucket=b, tiers=ladder) for b in ("winter", "summer")],
        )
        bill = price_bill(seasonal_tariff(charge), kwh("400"), MAY_JUNE)
        assert [(ln.quantity, str(ln.amount.amount)) for ln in bill.lines] == [
            (170, "17.00"),
            (Decimal("36.061"), "7.21"),
            (160, "16.00"),
            (Decimal("33.939"), "6.79"),
        ]
        assert str(bill.total) == "47.00 CNY"

    def test_a_schedule_with_hours_still_refuses_a_total(self) -> None:
        with pytest.raises(InvalidInput, match="a bucket of schedule day_night"):
            price_bill(tou_tariff(tou_tiers()), kwh("10"), MAY_JUNE)


def test_the_new_notes_read_in_chinese() -> None:
    """A Chinese bill writes the minimum, per-day bound and season-share notes in Chinese."""
    tariff = tariff_of(daily(), energy(), minimum(yuan_per_month="20"))
    bill = price_bill(tariff, kwh("20"), DateRange.month(2025, 7))
    assert note_text(bill.lines[-1].note, "zh") == (
        "最低电费 20 元/月 × 1 月 = 20.00；各项电费合计 17.50：补足差额 2.50"
    )
    ladder = tiers(TierBounds.DAY, Tier(10, "0.30"), Tier(None, "0.50"))
    bill = price_bill(tariff_of(ladder), kwh("400"), DateRange("2025-01-15", "2025-02-17"))
    assert note_text(bill.lines[0].note, "zh").endswith("档位电量按日 × 33 天")
    yearly = tiers(TierBounds.YEAR, Tier(2400, "0.40"), Tier(None, "0.60"))
    bill = price_bill(tariff_of(yearly), kwh("250"), DateRange.month(2025, 7))
    assert note_text(bill.lines[0].note, "zh").endswith("档位电量按年 × 1/12 个月")
    bill = price_bill(seasonal_tariff(seasonal_prices()), kwh("330"), MAY_JUNE)
    assert note_text(bill.lines[0].note, "zh") == (
        "总电量 330 千瓦时按天数分摊（winter 17, summer 16，共 33 天）"
    )
