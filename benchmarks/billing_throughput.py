"""Billing throughput: exact bills per second and milliseconds per customer-year of intervals.

Run from the repository root: ``python benchmarks/billing_throughput.py [--bills N]``.
Prints one line per figure. Every bill is exact to the fen with full line items. Times are CPU
time of this process (``time.process_time``), so other work on a shared machine does not count,
with the garbage collector paused while timing (as ``timeit`` does).
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.billing.usage import IntervalSeries
from powerretail.timeframe import DateRange

JULY = DateRange.month(2025, 7)


def _residential(count: int) -> list[tuple[Determinants, AccountFacts]]:
    cases = []
    for n in range(count):
        peak = Decimal(150 + n % 300) + Decimal(n % 10) / 10
        valley = Decimal(80 + n % 170) + Decimal(n % 7) / 10
        account = AccountFacts(residential=True, ytd_kwh=(n * 37) % 5200)
        cases.append((Determinants(energy_kwh={"peak": peak, "valley": valley}), account))
    return cases


def _two_part(count: int) -> list[tuple[Determinants, AccountFacts]]:
    cases = []
    for n in range(count):
        base = Decimal(50_000 + (n * 131) % 200_000)
        determinants = Determinants(
            energy_kwh={  # a four-register meter: July has critical-peak hours
                "critical": base * Decimal("0.05"),
                "peak": base * Decimal("0.30"),
                "flat": base * Decimal("0.4"),
                "valley": base * Decimal("0.25"),
            },
            max_demand_kw=Decimal(300 + n % 500),
            reactive_kvarh=base * Decimal("0.5"),
        )
        account = AccountFacts(
            capacity_kva=1000,
            use_category="industrial",
            contract_demand_kw=500 + n % 200,
            pf_standard="0.90",
        )
        cases.append((determinants, account))
    return cases


def bills_per_second(
    code: str, cases: list[tuple[Determinants, AccountFacts]], runs: int = 1
) -> tuple[float, int]:
    """Return bills per second (best of ``runs`` runs over all cases) and the lines made."""
    engine = BillingEngine(load_shipped(code))
    best = float("inf")
    lines = 0
    for _ in range(runs):
        gc.collect()
        gc.disable()
        started = time.process_time()
        lines = 0
        for determinants, account in cases:
            lines += len(engine.bill(determinants, JULY, account).lines)
        best = min(best, time.process_time() - started)
        gc.enable()
    return len(cases) / best, lines


def ms_per_customer_year(repeats: int, *, whole_units: bool) -> float:
    """Return milliseconds to bill 12 months of 15-minute data (35 040 values) for one customer.

    ``whole_units``: the series holds whole Wh (``active_units``), as meters store them;
    otherwise decimals of kWh (``active_kwh``).
    """
    engine = BillingEngine(load_shipped("JS-CI-TOU-2P"))
    wh = [20_000 + (i * 7) % 60_000 + (i % 4) * 250 for i in range(365 * 96)]
    start = datetime(2025, 5, 31, 16, tzinfo=UTC)
    if whole_units:
        series = IntervalSeries(
            start=start,
            minutes=15,
            active_units=wh,
            reactive_units=[v // 2 for v in wh],
            unit_exponent=-3,
        )
    else:
        series = IntervalSeries(
            start=start,
            minutes=15,
            active_kwh=[Decimal(v).scaleb(-3) for v in wh],
            reactive_kvarh=[Decimal(v // 2).scaleb(-3) for v in wh],
        )
    account = AccountFacts(
        capacity_kva=1000, use_category="industrial", contract_demand_kw=200, pf_standard="0.90"
    )
    months = DateRange.monthly(datetime(2025, 6, 1).date(), 12)  # noqa: DTZ001 - a date
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        started = time.process_time()
        for month in months:
            engine.bill_intervals(series, month, account)
        best = min(best, time.process_time() - started)
        gc.enable()
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bills", type=int, default=100_000, help="bills per register-read run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each bill benchmark (best)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of the interval benchmark")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rate, lines = bills_per_second("JS-RES-TOU", _residential(args.bills), args.runs)
    print(
        f"residential tiered TOU (JS-RES-TOU): {rate:,.0f} bills/s "
        f"({lines / args.bills:.1f} lines/bill)"
    )
    rate, lines = bills_per_second("JS-CI-TOU-2P", _two_part(args.bills), args.runs)
    print(
        f"two-part TOU + demand + PF (JS-CI-TOU-2P): {rate:,.0f} bills/s "
        f"({lines / args.bills:.1f} lines/bill)"
    )
    for whole_units, form in ((True, "whole Wh"), (False, "decimal kWh")):
        per_year = ms_per_customer_year(args.repeats, whole_units=whole_units)
        print(
            f"15-minute interval data ({form}), TOU + demand + PF: "
            f"{per_year:.1f} ms per customer-year"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
