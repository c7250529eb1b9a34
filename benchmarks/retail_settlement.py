"""Retail settlement: one month for a retailer with 10 000 users with hourly data.

Each user has 744 hourly values (July 2025, whole Wh as meters store them) and one of the shipped
packages. Timed, in order:

1. bucketing every user's hourly series by the Jiangsu 426 TOU schedule (energy per band);
2. the settlement (:func:`~powerretail.retail.settlement.settle_month`): the purchases' position,
   the deviation fee, the allocation of cost and fee to 10 000 users (largest remainder), every
   user's package priced for the month with its cap and refund, and the reconciliation checks;
3. storing the settlement through the workflow in memory (:func:`settle_retail_month`: encode,
   idempotency record, event).

Building the series and the allocation is not timed. Goal: the whole month in ≤ 10 s.

PYTHONPATH=src python benchmarks/retail_settlement.py             # 10 000 users
PYTHONPATH=src python benchmarks/retail_settlement.py --users 1000
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
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
from powerretail.billing.usage import IntervalSeries, bucket_energy
from powerretail.repositories.retail import MarketMonth
from powerretail.retail.allocation import AllocationMethod, Claim, allocate_energy
from powerretail.retail.deviation import DEVIATION_RULE_SETS
from powerretail.retail.procurement import Channel, Purchase
from powerretail.retail.settlement import UserMonth, settle_month, user_month_id
from powerretail.timeframe import DateRange
from powerretail.workflows.retail import (
    load_reference_prices,
    publish_package,
    record_month,
    settle_retail_month,
)

JULY = DateRange.month(2025, 7)
HOURS = 31 * 24
CODES = ("PKG-FIXED-TOU", "PKG-LINKED", "PKG-MIX", "PKG-SPREAD", "PKG-GREEN")
SERIES = ("JS-MLT-AVG", "JS-SPOT-AVG", "JS-AGENCY")


def _series(users: int) -> list[IntervalSeries]:
    start = pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai")
    out = []
    for user in range(users):
        base = 20_000 + (user * 37) % 30_000  # 20-50 kWh an hour, in Wh
        values = [base + (hour * 7919 + user) % 9_000 for hour in range(HOURS)]
        out.append(IntervalSeries(start=start, minutes=60, active_units=values))
    return out


def run(users: int) -> dict[str, float]:
    """Return the seconds of each timed step for ``users`` users."""
    schedule = load_shipped("JS-CI-TOU-1P").versions[0].schedules["js426"]
    series = _series(users)
    gc.disable()
    try:
        started = time.process_time()
        energies = [bucket_energy(s, schedule, JULY) for s in series]
        bucketed = time.process_time()
    finally:
        gc.enable()
    users_months = [
        UserMonth(
            user_month_id=user_month_id("R", "2025-07", f"C-{i:05d}"),
            retailer_id="R",
            month="2025-07",
            customer_id=f"C-{i:05d}",
            contract_id=f"K-{i:05d}",
            package_code=CODES[i % len(CODES)],
            energy_kwh=energy,
            deviation_fee_passed_on=i % 2 == 0,
        )
        for i, energy in enumerate(energies)
    ]
    total = sum((u.total_kwh for u in users_months), Decimal(0))
    bought = (total * Decimal("0.97")).quantize(Decimal(1))
    purchases = [
        Purchase(
            purchase_id="P-1",
            retailer_id="R",
            month="2025-07",
            channel=Channel.ANNUAL_BILATERAL,
            energy_kwh=bought * 6 / 10,
            yuan_per_kwh="0.37",
        ),
        Purchase(
            purchase_id="P-2",
            retailer_id="R",
            month="2025-07",
            channel=Channel.MONTHLY_CENTRALISED,
            energy_kwh=bought * 3 / 10,
            yuan_per_kwh="0.39",
        ),
        Purchase(
            purchase_id="P-3",
            retailer_id="R",
            month="2025-07",
            channel=Channel.SPOT,
            energy_kwh=bought / 10,
            yuan_per_kwh="0.41",
        ),
    ]
    allocation = allocate_energy(
        retailer_id="R",
        month="2025-07",
        energy_kwh=sum((p.energy_kwh for p in purchases), Decimal(0)),
        claims=[Claim(customer_id=u.customer_id, kwh=u.total_kwh) for u in users_months],
        method=AllocationMethod.BY_FORECAST,
    )
    packages = {code: load_shipped_package(code) for code in CODES}
    references = {code: load_shipped_reference(code).prices[1].yuan_per_kwh for code in SERIES}
    gc.disable()
    try:
        before = time.process_time()
        settled = settle_month(
            retailer_id="R",
            month="2025-07",
            purchases=purchases,
            allocation=allocation,
            users=users_months,
            packages=packages,
            reference_prices=references,
            deviation_rule=DEVIATION_RULE_SETS["GENERIC-3"],
            deviation_prices={"deviation_price": Decimal("0.10")},
        )
        after = time.process_time()
    finally:
        gc.enable()
    assert sum(u.margin.amount for u in settled.users) == settled.margin.amount
    store = MemoryStore()
    for code in CODES:
        publish_package(store.unit_of_work, text=shipped_package_text(code))
    load_reference_prices(
        store.unit_of_work, series=[load_shipped_reference(c) for c in SERIES], month="2025-07"
    )
    record_month(
        store.unit_of_work,
        purchases=purchases,
        user_months=users_months,
        market_month=MarketMonth(
            market_month_id="R/2025-07",
            retailer_id="R",
            month="2025-07",
            deviation_rule="GENERIC-3",
            deviation_prices={"deviation_price": Decimal("0.10")},
        ),
        allocation=allocation,
    )
    clock = FixedClock(pendulum.datetime(2025, 8, 8, 9, tz="Asia/Shanghai"))
    stored_from = time.process_time()
    settle_retail_month(
        store.unit_of_work,
        retailer_id="R",
        month="2025-07",
        clock=clock,
        actor=Actor(id="bench", name="bench", roles={"retail_settlement_officer"}),
        policy=SEED_POLICY,
    )
    stored = time.process_time()
    return {
        "bucket hourly data": bucketed - started,
        "settle_month": after - before,
        "settle_retail_month (load, settle, store)": stored - stored_from,
    }


def main() -> None:
    """Time one month and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    figures = run(args.users)
    print(
        f"retail settlement, {args.users} users x {HOURS} hourly values "
        f"({platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})"
    )
    for name, seconds in figures.items():
        print(f"  {name:<42} {seconds:7.2f} s CPU")
    month = figures["bucket hourly data"] + figures["settle_retail_month (load, settle, store)"]
    print(f"  {'month (bucketing + workflow)':<42} {month:7.2f} s CPU (goal <= 10 s)")


if __name__ == "__main__":
    main()
