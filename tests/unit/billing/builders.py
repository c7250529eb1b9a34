"""Small tariffs and accounts for the billing tests."""

from __future__ import annotations

from typing import Any

from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    BucketPrice,
    Charge,
    ChargeCategory,
    EnergyCharge,
    FixedCharge,
    MonthlyTiers,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TimeOfUseCharge,
)
from tests.strategies.tariffs import NAMES
from tests.strategies.tariffs import SCHEDULE as DAY_NIGHT


def energy(code: str = "energy", price: str = "0.5", **kwargs: Any) -> EnergyCharge:
    return EnergyCharge(code=code, **NAMES, yuan_per_kwh=price, **kwargs)


def fund(price: str = "0.029") -> EnergyCharge:
    return energy("funds", price, category=ChargeCategory.FUND)


def fixed(amount: str = "30") -> FixedCharge:
    return FixedCharge(code="fixed", **NAMES, yuan_per_month=amount)


def tou(peak: str = "0.5583", valley: str = "0.3583") -> TimeOfUseCharge:
    return TimeOfUseCharge(
        code="tou",
        **NAMES,
        schedule="day_night",
        prices=(
            BucketPrice(bucket="peak", yuan_per_kwh=peak),
            BucketPrice(bucket="valley", yuan_per_kwh=valley),
        ),
    )


def annual(partial: PartialYear = PartialYear.PRO_RATA) -> AnnualTiers:
    return AnnualTiers(
        code="tier",
        **NAMES,
        partial_year=partial,
        tiers=(Tier(2760, 0), Tier(4800, "0.05"), Tier(None, "0.30")),
    )


def monthly() -> MonthlyTiers:
    return MonthlyTiers(code="m", **NAMES, tiers=(Tier(200, "0.5"), Tier(None, "0.8")))


def basic(**kwargs: Any) -> BasicCharge:
    fields: dict[str, Any] = {"yuan_per_kw_month": 38, "yuan_per_kva_month": 26}
    fields.update(kwargs)
    return BasicCharge(code="basic", **NAMES, **fields)


def power_factor(**kwargs: Any) -> PowerFactorAdjustment:
    return PowerFactorAdjustment(code="pf", **NAMES, **kwargs)


def version(
    *charges: Charge, label: str = "v1", start: str = "2020-01-01", end: str | None = None
) -> TariffVersion:
    return TariffVersion(
        label=label,
        effective_from=start,
        effective_to=end,
        schedules={"day_night": DAY_NIGHT},
        charges=charges,
    )


def tariff(*versions: TariffVersion, category: str = "commercial_industrial") -> Tariff:
    return Tariff(code="TEST", name_zh="测试", name_en="test", category=category, versions=versions)


def one_version(*charges: Charge) -> Tariff:
    return tariff(version(*charges))
