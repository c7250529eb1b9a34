"""Hypothesis strategies of the retail aggregates (packages, prices, purchases, settlements)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from powerretail.adapters.retail_library import (
    load_shipped_package,
    load_shipped_reference,
    shipped_package_text,
    shipped_packages,
    shipped_references,
)
from powerretail.quantities import Money
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.retail import (
    ALLOCATIONS,
    MARKET_MONTHS,
    PACKAGE_DOCUMENTS,
    PURCHASES,
    REFERENCE_PRICES,
    RETAIL_SETTLEMENTS,
    SETTLEMENT_ADJUSTMENTS,
    USER_MONTHS,
    MarketMonth,
    PackageDocument,
    StoredReferencePrice,
)
from powerretail.retail.allocation import (
    AllocationMethod,
    Claim,
    EnergyAllocation,
    allocate_energy,
    reallocate,
)
from powerretail.retail.deviation import DEVIATION_RULE_SETS
from powerretail.retail.procurement import Channel, Purchase
from powerretail.retail.settlement import (
    MonthSettlement,
    SettlementAdjustment,
    UserMonth,
    settle_month,
    user_month_id,
)
from powerretail.testing.strategies import identifiers, money, plain_decimals

__all__ = [
    "RETAIL_CASES",
    "allocations",
    "market_months",
    "package_documents",
    "purchases",
    "reference_prices",
    "retail_settlements",
    "settlement_adjustments",
    "user_months",
]

_MONTHS = st.sampled_from(["2025-06", "2025-07", "2025-08"])
_KWH = plain_decimals("0", "1000000", 3)
_PRICE = plain_decimals("0", "2", 4)
_JULY = {
    "JS-MLT-AVG": Decimal("0.3850"),
    "JS-SPOT-AVG": Decimal("0.3620"),
    "JS-AGENCY": Decimal("0.4150"),
}


def package_documents() -> st.SearchStrategy[PackageDocument]:
    """Draw revisions of the shipped package files."""
    return st.builds(
        lambda code, revision: PackageDocument.of_text(shipped_package_text(code), revision),
        st.sampled_from(shipped_packages()),
        st.integers(1, 5),
    )


def reference_prices() -> st.SearchStrategy[StoredReferencePrice]:
    """Draw stored months of the shipped reference series."""

    def build(code: str, index: int) -> StoredReferencePrice:
        series = load_shipped_reference(code)
        return StoredReferencePrice.of(series, series.prices[index % len(series.prices)])

    return st.builds(build, st.sampled_from(shipped_references()), st.integers(0, 10))


def purchases() -> st.SearchStrategy[Purchase]:
    """Draw purchases."""
    return st.builds(
        Purchase,
        purchase_id=identifiers("P"),
        retailer_id=identifiers("R"),
        month=_MONTHS,
        channel=st.sampled_from(Channel),
        band=st.sampled_from(["total", "peak", "flat", "valley"]),
        energy_kwh=_KWH,
        yuan_per_kwh=_PRICE,
    )


def _claims() -> st.SearchStrategy[list[Claim]]:
    return st.lists(
        st.builds(Claim, customer_id=identifiers("C"), kwh=plain_decimals("1", "100000", 3)),
        min_size=1,
        max_size=4,
        unique_by=lambda c: c.customer_id,
    )


def allocations() -> st.SearchStrategy[EnergyAllocation]:
    """Draw allocations, some re-allocated."""

    def build(
        retailer: str,
        month: str,
        energy: Decimal,
        claims: list[Claim],
        *,
        method: AllocationMethod,
        again: bool,
    ) -> EnergyAllocation:
        first = allocate_energy(
            retailer_id=retailer, month=month, energy_kwh=energy, claims=claims, method=method
        )
        return reallocate(first, claims=claims[::-1], reason="demand changed") if again else first

    return st.builds(
        build,
        identifiers("R"),
        _MONTHS,
        _KWH,
        _claims(),
        method=st.sampled_from(AllocationMethod),
        again=st.booleans(),
    )


def user_months() -> st.SearchStrategy[UserMonth]:
    """Draw users' metered months."""

    def build(
        retailer: str, month: str, customer: str, *, package: str, kwh: Decimal, passed: bool
    ) -> UserMonth:
        return UserMonth(
            user_month_id=user_month_id(retailer, month, customer),
            retailer_id=retailer,
            month=month,
            customer_id=customer,
            contract_id=f"K-{customer}",
            package_code=package,
            energy_kwh={"total": kwh},
            deviation_fee_passed_on=passed,
        )

    return st.builds(
        build,
        identifiers("R"),
        _MONTHS,
        identifiers("C"),
        package=st.sampled_from(shipped_packages()),
        kwh=_KWH,
        passed=st.booleans(),
    )


def market_months() -> st.SearchStrategy[MarketMonth]:
    """Draw market months."""
    return st.builds(
        lambda retailer, month, rule, price: MarketMonth(
            market_month_id=f"{retailer}/{month}",
            retailer_id=retailer,
            month=month,
            deviation_rule=rule,
            deviation_prices={"deviation_price": price},
        ),
        identifiers("R"),
        _MONTHS,
        st.sampled_from(sorted(DEVIATION_RULE_SETS)),
        _PRICE,
    )


def settlement_adjustments() -> st.SearchStrategy[SettlementAdjustment]:
    """Draw adjustments of earlier months."""
    return st.builds(
        lambda retailer, customer, amount, reason: SettlementAdjustment(
            adjustment_id=f"{retailer}/2025-06/{customer}/2025-07",
            retailer_id=retailer,
            customer_id=customer,
            of_month="2025-06",
            settle_in="2025-07",
            amount=amount,
            reason=reason,
        ),
        identifiers("R"),
        identifiers("C"),
        money("-10000", "10000"),
        st.sampled_from(["meter data corrected", "reference price revised"]),
    )


def retail_settlements() -> st.SearchStrategy[MonthSettlement]:
    """Draw settled July months of a small portfolio on the shipped packages."""

    def build(retailer: str, kwh: list[Decimal], price: Decimal, refund: Money) -> MonthSettlement:
        codes = ("PKG-LINKED", "PKG-MIX", "PKG-SPREAD")
        customers = [f"C-{i}" for i in range(len(kwh))]
        buys = (
            Purchase(
                purchase_id=f"{retailer}-P",
                retailer_id=retailer,
                month="2025-07",
                channel=Channel.MONTHLY_BILATERAL,
                energy_kwh="1000",
                yuan_per_kwh=price,
            ),
        )
        allocation = allocate_energy(
            retailer_id=retailer,
            month="2025-07",
            energy_kwh=Decimal(1000),
            claims=[Claim(customer_id=c, kwh="1") for c in customers],
            method=AllocationMethod.BY_CONTRACT,
        )
        users = [
            UserMonth(
                user_month_id=user_month_id(retailer, "2025-07", c),
                retailer_id=retailer,
                month="2025-07",
                customer_id=c,
                contract_id=f"K-{c}",
                package_code=codes[i % 3],
                energy_kwh={"total": k},
                deviation_fee_passed_on=i % 2 == 0,
            )
            for i, (c, k) in enumerate(zip(customers, kwh, strict=True))
        ]
        return settle_month(
            retailer_id=retailer,
            month="2025-07",
            purchases=buys,
            allocation=allocation,
            users=users,
            packages={code: load_shipped_package(code) for code in codes},
            reference_prices=_JULY,
            deviation_rule=DEVIATION_RULE_SETS["GENERIC-3"],
            deviation_prices={"deviation_price": Decimal("0.10")},
            adjustments=(
                SettlementAdjustment(
                    adjustment_id=f"{retailer}/adj",
                    retailer_id=retailer,
                    customer_id=customers[0],
                    of_month="2025-06",
                    settle_in="2025-07",
                    amount=refund,
                    reason="meter data corrected",
                ),
            ),
        )

    return st.builds(
        build,
        identifiers("R"),
        st.lists(plain_decimals("0", "2000", 3), min_size=1, max_size=3),
        plain_decimals("0.3", "0.5", 4),
        money("-100", "100"),
    )


#: The retail aggregates with a strategy of their entities (in the registry of testing.entities).
RETAIL_CASES: tuple[tuple[Aggregate[Any, Any], st.SearchStrategy[Any]], ...] = (
    (PACKAGE_DOCUMENTS, package_documents()),
    (REFERENCE_PRICES, reference_prices()),
    (PURCHASES, purchases()),
    (ALLOCATIONS, allocations()),
    (USER_MONTHS, user_months()),
    (MARKET_MONTHS, market_months()),
    (RETAIL_SETTLEMENTS, retail_settlements()),
    (SETTLEMENT_ADJUSTMENTS, settlement_adjustments()),
)
