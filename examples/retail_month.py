"""A retail company's month: a package-priced bill, purchases, allocation, deviation, margin.

Run: python examples/retail_month.py
"""

from __future__ import annotations

from decimal import Decimal

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.retail_library import (
    load_shipped_package,
    load_shipped_reference,
    shipped_package_text,
)
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import Determinants
from powerretail.cli.retail import format_settlement
from powerretail.repositories.retail import MarketMonth
from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy, reallocate
from powerretail.retail.package_bill import price_retail_bill
from powerretail.retail.procurement import Channel, Purchase
from powerretail.retail.settlement import UserMonth, user_month_id
from powerretail.timeframe import DateRange
from powerretail.workflows.retail import (
    load_reference_prices,
    publish_package,
    record_month,
    settle_retail_month,
)

MONTH = "2025-07"
USERS = (  # customer, package, metered kWh, forecast kWh, contract passes the deviation fee on
    ("C-1", "PKG-LINKED", "410000", "400000", False),
    ("C-2", "PKG-MIX", "330000", "350000", True),
    ("C-3", "PKG-GREEN", "240000", "250000", False),
)


def main() -> None:
    """Print a retail customer's bill, then settle the retailer's July."""
    # 1. A retail customer's bill: the package prices the energy, the delivery tariff the rest.
    retail = price_retail_bill(
        package=load_shipped_package("PKG-MIX"),
        delivery=load_shipped("JS-CI-TOU-1P"),
        period=DateRange.month(2025, 7),
        reference_prices={
            "JS-MLT-AVG": load_shipped_reference("JS-MLT-AVG").prices[1].yuan_per_kwh
        },
        determinants=Determinants(energy_kwh={"total": "12000"}),
        bill_id="B-1",
        account_id="A-1",
    )
    print(retail.bill.explain())
    print()

    # 2. The retailer's month, stored and settled.
    store = MemoryStore()
    make_unit_of_work = store.unit_of_work
    clock = FixedClock(pendulum.datetime(2025, 8, 8, 9, tz="Asia/Shanghai"))
    for code in ("PKG-LINKED", "PKG-MIX", "PKG-GREEN"):
        publish_package(make_unit_of_work, text=shipped_package_text(code))
    load_reference_prices(
        make_unit_of_work,
        series=[load_shipped_reference(code) for code in ("JS-MLT-AVG", "JS-SPOT-AVG")],
        month=MONTH,
    )
    purchases = [
        Purchase(
            purchase_id=pid,
            retailer_id="R",
            month=MONTH,
            channel=channel,
            energy_kwh=kwh,
            yuan_per_kwh=price,
        )
        for pid, channel, kwh, price in (
            ("P-1", Channel.ANNUAL_BILATERAL, "600000", "0.3650"),
            ("P-2", Channel.MONTHLY_BILATERAL, "200000", "0.3800"),
            ("P-3", Channel.LISTING, "150000", "0.3900"),
        )
    ]
    bought = sum((p.energy_kwh for p in purchases), Decimal(0))
    first = allocate_energy(
        retailer_id="R",
        month=MONTH,
        energy_kwh=bought,
        claims=[Claim(customer_id=c, kwh=forecast) for c, _, _, forecast, _ in USERS],
        method=AllocationMethod.BY_FORECAST,
    )
    allocation = reallocate(
        first,
        claims=[
            Claim(customer_id=c, kwh=forecast, priority=0 if c == "C-2" else 1)
            for c, _, _, forecast, _ in USERS
        ],
        reason="C-2 is served first under its contract",
        method=AllocationMethod.BY_PRIORITY,
    )
    record_month(
        make_unit_of_work,
        purchases=purchases,
        user_months=[
            UserMonth(
                user_month_id=user_month_id("R", MONTH, c),
                retailer_id="R",
                month=MONTH,
                customer_id=c,
                contract_id=f"K-{c}",
                package_code=package,
                energy_kwh={"total": kwh},
                deviation_fee_passed_on=passed,
            )
            for c, package, kwh, _, passed in USERS
        ],
        market_month=MarketMonth(
            market_month_id=f"R/{MONTH}",
            retailer_id="R",
            month=MONTH,
            deviation_rule="GD-2017",
            deviation_prices={"clearing_spread": Decimal("0.05")},
        ),
        allocation=allocation,
    )
    for adjustment in allocation.adjustments:
        print(f"re-allocation {adjustment.revision}: {adjustment.reason}")
        for customer, before, after in adjustment.changes:
            print(f"  {customer}: {before} → {after} kWh")
    officer = Actor(id="settler-1", name="Sun", roles={"retail_settlement_officer"})
    settled = settle_retail_month(
        make_unit_of_work,
        retailer_id="R",
        month=MONTH,
        clock=clock,
        actor=officer,
        policy=SEED_POLICY,
    )
    print(format_settlement(settled))


if __name__ == "__main__":
    main()
