"""Tariffs, versions and charge components refuse what cannot be priced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    BasicChargeBasis,
    BucketPrice,
    ChargeCategory,
    CustomerCategory,
    EnergyCharge,
    FixedCharge,
    OverlappingVersions,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TimeOfUseCharge,
    VersionStatus,
)
from powerretail.timeframe import DateRange
from tests.strategies.tariffs import NAMES, SCHEDULE


def energy(code: str = "energy", **kwargs: Any) -> EnergyCharge:
    return EnergyCharge(code=code, **NAMES, yuan_per_kwh="0.5", **kwargs)


def version(label: str, start: str, end: str | None = None, **kwargs: Any) -> TariffVersion:
    fields: dict[str, Any] = {"charges": (energy(),)}
    fields.update(kwargs)
    return TariffVersion(label=label, effective_from=start, effective_to=end, **fields)


def tariff(*versions: TariffVersion) -> Tariff:
    return Tariff(code="T", name_zh="电价", name_en="t", category="residential", versions=versions)


class TestTariff:
    def test_finds_the_version_in_force_on_a_day(self) -> None:
        t = tariff(version("a", "2025-01-01", "2025-07-01"), version("b", "2025-07-01"))

        assert t.version_on(date(2025, 6, 30)).label == "a"
        assert t.version_on(date(2025, 7, 1)).label == "b"
        assert t.version("b").effective_from == date(2025, 7, 1)
        assert t.category is CustomerCategory.RESIDENTIAL

    def test_refuses_overlapping_versions_naming_both(self) -> None:
        with pytest.raises(OverlappingVersions, match=r"versions\[0\].effective_from.*end of a"):
            tariff(version("b", "2025-06-01"), version("a", "2025-01-01", "2025-07-01"))

    def test_refuses_two_versions_with_one_label(self) -> None:
        with pytest.raises(InvalidInput, match=r"versions\[1\].label"):
            tariff(version("a", "2025-01-01", "2025-02-01"), version("a", "2025-02-01"))

    def test_refuses_an_open_version_followed_by_another(self) -> None:
        with pytest.raises(OverlappingVersions, match="open-ended"):
            tariff(version("a", "2025-01-01"), version("b", "2026-01-01"))

    def test_reports_a_day_without_a_version(self) -> None:
        t = tariff(version("a", "2025-01-01", "2025-02-01"))

        with pytest.raises(NotFound, match="2025-03-01"):
            t.version_on(date(2025, 3, 1))
        with pytest.raises(NotFound, match="zz"):
            t.version("zz")

    def test_lists_version_boundaries_inside_a_period(self) -> None:
        t = tariff(version("a", "2025-01-01", "2025-07-10"), version("b", "2025-07-10"))

        assert t.boundaries_within(DateRange.month(2025, 7)) == (date(2025, 7, 10),)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("category", "shop"), ("currency", "XYZ"), ("code", "has space"), ("name_zh", " ")],
    )
    def test_refuses_bad_header_fields(self, field: str, value: object) -> None:
        fields: dict[str, Any] = {
            "code": "T",
            "name_zh": "电价",
            "name_en": "t",
            "category": "residential",
            "versions": (version("a", "2025-01-01"),),
        }
        fields[field] = value

        with pytest.raises(InvalidInput, match=field):
            Tariff(**fields)

    def test_refuses_no_versions(self) -> None:
        with pytest.raises(InvalidInput, match="versions"):
            tariff()


class TestTariffVersion:
    def test_refuses_an_end_before_the_start(self) -> None:
        with pytest.raises(InvalidInput, match="effective_to"):
            version("a", "2025-07-01", "2025-07-01")

    def test_refuses_duplicate_codes(self) -> None:
        with pytest.raises(InvalidInput, match=r"charges\[1\].code"):
            version("a", "2025-01-01", charges=(energy(), energy()))

    def test_refuses_two_basic_charges(self) -> None:
        basic = {**NAMES, "yuan_per_kw_month": "38"}
        with pytest.raises(InvalidInput, match="one such charge"):
            version(
                "a",
                "2025-01-01",
                charges=(BasicCharge(code="b1", **basic), BasicCharge(code="b2", **basic)),
            )

    def test_refuses_no_charges_and_an_unknown_status(self) -> None:
        with pytest.raises(InvalidInput, match="charges"):
            version("a", "2025-01-01", charges=())
        with pytest.raises(InvalidInput, match="status"):
            version("a", "2025-01-01", status="draft")

    def test_refuses_a_time_of_use_charge_without_its_schedule(self) -> None:
        tou = TimeOfUseCharge(
            code="tou", **NAMES, schedule="s", prices=(BucketPrice(bucket="peak", yuan_per_kwh=1),)
        )
        with pytest.raises(InvalidInput, match="schedule"):
            version("a", "2025-01-01", charges=(tou,))
        with pytest.raises(InvalidInput, match="every bucket"):
            version("a", "2025-01-01", charges=(tou,), schedules={"s": SCHEDULE})

    def test_refuses_a_power_factor_base_naming_no_charge(self) -> None:
        pf = PowerFactorAdjustment(code="pf", **NAMES, base_codes=("nothing",))
        with pytest.raises(InvalidInput, match="base_codes"):
            version("a", "2025-01-01", charges=(energy(), pf))

    def test_keeps_status_and_period(self) -> None:
        v = version("a", "2025-01-01", "2025-02-01", status=VersionStatus.ILLUSTRATIVE)

        assert v.effective == DateRange.month(2025, 1)
        assert v.status is VersionStatus.ILLUSTRATIVE


class TestCharges:
    def test_fixed_and_energy_charges_default_their_category(self) -> None:
        fixed = FixedCharge(code="f", **NAMES, yuan_per_month="5")

        assert fixed.category is ChargeCategory.FIXED
        assert energy(category=ChargeCategory.FUND).category is ChargeCategory.FUND

    def test_refuses_a_category_that_is_not_one(self) -> None:
        with pytest.raises(InvalidInput, match="category"):
            energy(category="fund")

    @pytest.mark.parametrize(
        ("tiers", "match"),
        [
            ((), "at least one"),
            ((Tier(None, 1), Tier(None, 2)), "only the last"),
            ((Tier(100, 1), Tier(50, 1), Tier(None, 1)), "above 100"),
        ],
    )
    def test_tiers_must_rise_and_end_open(self, tiers: tuple[Tier, ...], match: str) -> None:
        with pytest.raises(InvalidInput, match=match):
            AnnualTiers(code="t", **NAMES, tiers=tiers)

    def test_tier_bounds_are_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="upto_kwh"):
            Tier(0, 1)

    def test_annual_tiers_check_strategy_and_month(self) -> None:
        tiers = (Tier(None, 1),)
        with pytest.raises(InvalidInput, match="partial_year"):
            AnnualTiers(code="t", **NAMES, tiers=tiers, partial_year="pro_rata")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="cycle_start_month"):
            AnnualTiers(code="t", **NAMES, tiers=tiers, cycle_start_month=13)
        assert AnnualTiers(code="t", **NAMES, tiers=tiers).partial_year is PartialYear.PRO_RATA

    def test_time_of_use_resolves_ratios_of_base_and_of_other_buckets(self) -> None:
        tou = TimeOfUseCharge(
            code="tou",
            **NAMES,
            schedule="s",
            base_yuan_per_kwh="0.4",
            price_step="0.0001",
            prices=(
                BucketPrice(bucket="peak", ratio="1.7"),
                BucketPrice(bucket="critical", ratio="1.25", of="peak"),
                BucketPrice(bucket="valley", ratio="0.38"),
            ),
        )

        assert tou.resolved == {
            "peak": Decimal("0.6800"),
            "critical": Decimal("0.8500"),
            "valley": Decimal("0.1520"),
        }

    @pytest.mark.parametrize(
        ("prices", "base", "match"),
        [
            (
                (
                    BucketPrice(bucket="a", ratio=1, of="b"),
                    BucketPrice(bucket="b", ratio=1, of="a"),
                ),
                1,
                "cycle",
            ),
            ((BucketPrice(bucket="a", ratio=1, of="zz"),), 1, "priced here"),
            ((BucketPrice(bucket="a", ratio=1),), None, "base price"),
            ((BucketPrice(bucket="a", ratio=1), BucketPrice(bucket="a", ratio=1)), 1, "once"),
        ],
    )
    def test_time_of_use_refuses_unresolvable_prices(
        self, prices: tuple[BucketPrice, ...], base: object, match: str
    ) -> None:
        with pytest.raises(InvalidInput, match=match):
            TimeOfUseCharge(code="t", **NAMES, schedule="s", base_yuan_per_kwh=base, prices=prices)

    def test_bucket_price_is_either_absolute_or_a_ratio(self) -> None:
        with pytest.raises(InvalidInput, match="either"):
            BucketPrice(bucket="a", yuan_per_kwh=1, ratio=1)
        with pytest.raises(InvalidInput, match="of"):
            BucketPrice(bucket="a", yuan_per_kwh=1, of="b")

    def test_price_step_is_a_power_of_ten(self) -> None:
        with pytest.raises(InvalidInput, match="price_step"):
            TimeOfUseCharge(code="t", **NAMES, schedule="s", price_step="0.5", prices=())

    def test_basic_charge_needs_a_price_and_knows_its_bases(self) -> None:
        with pytest.raises(InvalidInput, match="capacity price"):
            BasicCharge(code="b", **NAMES)
        with pytest.raises(InvalidInput, match="default_basis"):
            BasicCharge(code="b", **NAMES, yuan_per_kw_month=1, default_basis="both")
        with pytest.raises(InvalidInput, match="part_month_days"):
            BasicCharge(code="b", **NAMES, yuan_per_kw_month=1, part_month_days=0)
        with pytest.raises(InvalidInput, match="excess_threshold"):
            BasicCharge(code="b", **NAMES, yuan_per_kw_month=1, excess_threshold=0)
        basic = BasicCharge(code="b", **NAMES, yuan_per_kw_month=38)
        assert basic.price_for(BasicChargeBasis.DEMAND) == 38
        with pytest.raises(InvalidInput, match="basis"):
            basic.price_for(BasicChargeBasis.CAPACITY)

    def test_power_factor_adjustment_knows_its_rule_set_and_standard(self) -> None:
        with pytest.raises(InvalidInput, match="rule_set"):
            PowerFactorAdjustment(code="pf", **NAMES, rule_set="PF2099")
        with pytest.raises(NotFound):
            PowerFactorAdjustment(code="pf", **NAMES, default_standard="0.70")
