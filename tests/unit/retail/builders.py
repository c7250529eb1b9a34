"""Builders of retail test data: delivery tariffs, packages, reference prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from powerretail.retail.packages import PackageVersion, PricingKind, RetailPackage
from powerretail.tariffs.model import (
    ChargeCategory,
    CustomerCategory,
    EnergyCharge,
    Tariff,
    TariffVersion,
)

#: The month's reference prices used throughout the retail tests [元/kWh].
JULY_PRICES = {
    "JS-MLT-AVG": Decimal("0.3850"),
    "JS-SPOT-AVG": Decimal("0.3620"),
    "JS-AGENCY": Decimal("0.4150"),
}


def a_delivery_tariff(*, with_energy: bool = True) -> Tariff:
    """Return a flat delivery tariff: an energy price (replaced by packages) and T&D 0.18."""
    charges = [
        EnergyCharge(
            code="transmission",
            name_zh="输配电价",
            name_en="T&D",
            source="发改价格〔2023〕526号 (illustrative)",
            yuan_per_kwh="0.18",
            category=ChargeCategory.TRANSMISSION,
        )
    ]
    if with_energy:
        charges.insert(
            0,
            EnergyCharge(
                code="energy",
                name_zh="电度电费",
                name_en="energy",
                source="agency purchase (illustrative)",
                yuan_per_kwh="0.40",
            ),
        )
    return Tariff(
        code="DEL",
        name_zh="输配",
        name_en="delivery",
        category=CustomerCategory.COMMERCIAL_INDUSTRIAL,
        versions=[TariffVersion(label="2025", effective_from="2025-01-01", charges=charges)],
    )


def a_package(code: str = "PKG", **fields: Any) -> RetailPackage:
    """Return a one-version package from 2025-01-01 (a fixed 0.41 unless ``fields`` say else)."""
    values: dict[str, Any] = {"kind": PricingKind.FIXED, "fixed_yuan_per_kwh": "0.41"}
    values.update(fields)
    version = PackageVersion(
        label="2025", effective_from="2025-01-01", source="合同 (illustrative)", **values
    )
    return RetailPackage(code=code, name_zh="套餐", name_en="package", versions=[version])
