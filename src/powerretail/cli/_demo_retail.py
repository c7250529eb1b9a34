"""The demo's retail section: a package-priced bill and a retailer's month, end to end."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.retail_library import (
    load_shipped_package,
    load_shipped_reference,
    shipped_package_text,
)
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.cli.retail import format_settlement
from powerretail.quantities import Money
from powerretail.repositories.clock import Clock
from powerretail.repositories.retail import MarketMonth
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy, reallocate
from powerretail.retail.package_bill import price_retail_bill
from powerretail.retail.procurement import Channel, Purchase
from powerretail.retail.settlement import SettlementAdjustment, UserMonth, user_month_id
from powerretail.timeframe import DateRange
from powerretail.workflows.retail import (
    load_reference_prices,
    publish_package,
    record_month,
    settle_retail_month,
)

__all__ = ["DEMO_RETAILER", "retail_demo"]

#: The demo's retail company.
DEMO_RETAILER: Final = "R-DEMO"
_MONTH: Final = "2025-07"
#: The demo's settlement officer: a made-up actor that settles the retailer's month.
_SETTLER: Final = Actor(
    id="demo-settlement-officer",
    name="Demo settlement officer (not a real person)",
    roles=frozenset({"retail_settlement_officer"}),
)
_PACKAGES: Final = ("PKG-FIXED-TOU", "PKG-LINKED", "PKG-MIX", "PKG-SPREAD")
_SERIES: Final = ("JS-MLT-AVG", "JS-SPOT-AVG", "JS-AGENCY")
_USERS: Final = (
    ("C-R1", "PKG-LINKED", "500000", "500000", False),
    ("C-R2", "PKG-MIX", "350000", "300000", True),
    ("C-R3", "PKG-SPREAD", "200000", "200000", False),
)


def _purchases() -> tuple[Purchase, ...]:
    rows = (
        ("P-R1", Channel.ANNUAL_BILATERAL, "600000", "0.3700"),
        ("P-R2", Channel.MONTHLY_CENTRALISED, "300000", "0.3900"),
        ("P-R3", Channel.SPOT, "100000", "0.4100"),
    )
    return tuple(
        Purchase(
            purchase_id=pid,
            retailer_id=DEMO_RETAILER,
            month=_MONTH,
            channel=channel,
            energy_kwh=kwh,
            yuan_per_kwh=price,
        )
        for pid, channel, kwh, price in rows
    )


def retail_demo(make_unit_of_work: UnitOfWorkFactory, *, clock: Clock, language: str) -> list[str]:
    """Return the demo's retail section: one retail bill, then the retailer's settled July.

    The section has no blank line: it closes the demo's last block (what a second run reports
    differently: the payment, the balances, this settlement, read back).

    Run again on the same store, nothing is stored twice and the stored settlement is shown.
    """
    out = ["--- retail: a customer on package PKG-FIXED-TOU (July 2025)"]
    july = DateRange.month(2025, 7)
    retail = price_retail_bill(
        package=load_shipped_package("PKG-FIXED-TOU"),
        delivery=load_shipped("JS-CI-TOU-1P"),
        period=july,
        reference_prices={},
        determinants=Determinants(
            energy_kwh={"peak": "300", "flat": "400", "valley": "300"}, reactive_kvarh="600"
        ),
        account=AccountFacts(pf_standard="0.90"),
        bill_id="B-RETAIL-1",
        account_id="A-RETAIL-1",
    )
    out.append(retail.bill.explain(language))
    for code in _PACKAGES:
        publish_package(make_unit_of_work, text=shipped_package_text(code))
    load_reference_prices(
        make_unit_of_work, series=[load_shipped_reference(c) for c in _SERIES], month=_MONTH
    )
    first = allocate_energy(
        retailer_id=DEMO_RETAILER,
        month=_MONTH,
        energy_kwh=Decimal(1_000_000),
        claims=[Claim(customer_id=c, kwh="1") for c, *_ in _USERS],
        method=AllocationMethod.BY_CONTRACT,
    )
    allocation = reallocate(
        first,
        claims=[Claim(customer_id=c, kwh=forecast) for c, _, _, forecast, _ in _USERS],
        reason="July forecasts replace the equal contract split",
        method=AllocationMethod.BY_FORECAST,
    )
    record_month(
        make_unit_of_work,
        purchases=_purchases(),
        user_months=[
            UserMonth(
                user_month_id=user_month_id(DEMO_RETAILER, _MONTH, customer),
                retailer_id=DEMO_RETAILER,
                month=_MONTH,
                customer_id=customer,
                contract_id=f"K-{customer}",
                package_code=package,
                energy_kwh={"total": kwh},
                deviation_fee_passed_on=passed,
            )
            for customer, package, kwh, _, passed in _USERS
        ],
        market_month=MarketMonth(
            market_month_id=f"{DEMO_RETAILER}/{_MONTH}",
            retailer_id=DEMO_RETAILER,
            month=_MONTH,
            deviation_rule="GENERIC-3",
            deviation_prices={"deviation_price": Decimal("0.10")},
        ),
        allocation=allocation,
        adjustments=[
            SettlementAdjustment(
                adjustment_id=f"{DEMO_RETAILER}/2025-06/C-R1/{_MONTH}",
                retailer_id=DEMO_RETAILER,
                customer_id="C-R1",
                of_month="2025-06",
                settle_in=_MONTH,
                amount=Money("-150.00"),
                reason="June meter data corrected",
            )
        ],
    )
    out.append(f"--- retail: {DEMO_RETAILER}'s month (purchases, allocation, deviation, margin)")
    for adjustment in allocation.adjustments:
        moved = ", ".join(f"{c} {before} → {after}" for c, before, after in adjustment.changes)
        out.append(f"allocation revision {adjustment.revision} ({adjustment.reason}): {moved}")
    settled = settle_retail_month(
        make_unit_of_work,
        retailer_id=DEMO_RETAILER,
        month=_MONTH,
        clock=clock,
        actor=_SETTLER,
        policy=SEED_POLICY,
    )
    out.append(format_settlement(settled))
    return out
