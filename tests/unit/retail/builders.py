"""Builders of retail test data: delivery tariffs, packages, reference prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from powerretail.adapters.retail_library import load_shipped_package
from powerretail.contracts.lifecycle import Contract
from powerretail.contracts.terms import (
    ContractKind,
    ContractTerm,
    Liability,
    MeteringTerms,
    Party,
    PartyRole,
    PriceTerms,
    SettlementTerms,
)
from powerretail.ids import ContractId, CustomerId, ServicePointId, TariffCode
from powerretail.quantities import Money
from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy
from powerretail.retail.deviation import DEVIATION_RULE_SETS
from powerretail.retail.packages import PackageVersion, PricingKind, RetailPackage
from powerretail.retail.procurement import Channel, Purchase
from powerretail.retail.settlement import SettlementAdjustment, UserMonth, user_month_id
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


def july_portfolio() -> dict[str, Any]:
    """Return the arguments of the hand-worked July 2025 settlement of retailer R (3 users)."""
    purchases = (
        Purchase(
            purchase_id="P-1",
            retailer_id="R",
            month="2025-07",
            channel=Channel.ANNUAL_BILATERAL,
            energy_kwh="600000",
            yuan_per_kwh="0.3700",
        ),
        Purchase(
            purchase_id="P-2",
            retailer_id="R",
            month="2025-07",
            channel=Channel.MONTHLY_CENTRALISED,
            energy_kwh="300000",
            yuan_per_kwh="0.3900",
        ),
        Purchase(
            purchase_id="P-3",
            retailer_id="R",
            month="2025-07",
            channel=Channel.SPOT,
            energy_kwh="100000",
            yuan_per_kwh="0.4100",
        ),
    )
    users = tuple(
        UserMonth(
            user_month_id=user_month_id("R", "2025-07", customer),
            retailer_id="R",
            month="2025-07",
            customer_id=customer,
            contract_id=f"K-{customer}",
            package_code=package,
            energy_kwh={"total": kwh},
            deviation_fee_passed_on=passed,
        )
        for customer, package, kwh, passed in (
            ("C-1", "PKG-LINKED", "500000", False),
            ("C-2", "PKG-MIX", "350000", True),
            ("C-3", "PKG-SPREAD", "200000", False),
        )
    )
    allocation = allocate_energy(
        retailer_id="R",
        month="2025-07",
        energy_kwh=Decimal(1_000_000),
        claims=[
            Claim(customer_id="C-1", kwh="500000"),
            Claim(customer_id="C-2", kwh="300000"),
            Claim(customer_id="C-3", kwh="200000"),
        ],
        method=AllocationMethod.BY_FORECAST,
    )
    return {
        "retailer_id": "R",
        "month": "2025-07",
        "purchases": purchases,
        "allocation": allocation,
        "users": users,
        "packages": {
            code: load_shipped_package(code) for code in ("PKG-LINKED", "PKG-MIX", "PKG-SPREAD")
        },
        "reference_prices": JULY_PRICES,
        "deviation_rule": DEVIATION_RULE_SETS["GENERIC-3"],
        "deviation_prices": {"deviation_price": Decimal("0.10")},
        "adjustments": (
            SettlementAdjustment(
                adjustment_id="A-1",
                retailer_id="R",
                customer_id="C-1",
                of_month="2025-06",
                settle_in="2025-07",
                amount=Money("-150.00"),
                reason="June meter data corrected",
            ),
        ),
    }


def a_retail_contract(
    package: str | None = "PKG-MIX", *, passed_on: bool = True, customer: str | None = "C-1"
) -> Contract:
    """Return a draft retail contract of ``customer`` priced by ``package`` for 2025."""
    return Contract(
        id=ContractId("K-1"),
        kind=ContractKind.RETAIL,
        seller=Party(role=PartyRole.SELLER, name="Suzhou Power Retail", representative="Chen"),
        buyer=Party(
            role=PartyRole.BUYER,
            name="Wuzhong Textiles",
            representative="Gu",
            customer_id=None if customer is None else CustomerId(customer),
        ),
        scope=(ServicePointId("SP-1"),),
        price=PriceTerms(retail_package_id=package, deviation_fee_passed_on=passed_on)
        if package
        else PriceTerms(tariff_code=TariffCode("JS-CI-TOU-1P")),
        settlement=SettlementTerms(
            billing_day=1, payment_due_days=15, method="bank transfer", late_fee_daily_rate="0.002"
        ),
        metering=MeteringTerms(metered_points=(ServicePointId("SP-1"),)),
        liabilities=(Liability(clause="9.1", text="late payment: 2‰ a day"),),
        term=ContractTerm(start="2025-01-01", end="2026-01-01"),
    )
