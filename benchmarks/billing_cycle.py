"""Billing-cycle throughput: accounts billed per second on SQLite and in memory.

Each account is one idempotent unit of work — read the profile, the tariff (cached per cycle),
the meter and its reads, price the bill, issue it, charge the receivable, store the bill and its
``BillIssued`` event, record the idempotency key — as ``run_billing_cycle`` does in production.
Seeding the synthetic book (``powerretail.testing.book``) is not timed.

PYTHONPATH=src python benchmarks/billing_cycle.py                     # 5 000 accounts, extrapolated
PYTHONPATH=src python benchmarks/billing_cycle.py --accounts 100000   # the full size

Sizes below 100 000 print a linear extrapolation to 100 000 accounts, marked as such.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle

FULL = 100_000
JULY = DateRange.month(2025, 7)


def _cycle(make_unit_of_work: UnitOfWorkFactory, accounts: int) -> tuple[float, float]:
    """Seed ``accounts`` and bill them; return (seconds seeding, seconds billing)."""
    started = time.perf_counter()
    ids = seed_book(make_unit_of_work, count=accounts, start=JULY.start, batch=1000)
    add_month_reads(make_unit_of_work, ids, JULY, month=1, batch=1000)
    seeded = time.perf_counter()
    clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
    gc.disable()
    try:
        report = run_billing_cycle(
            make_unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1)
        )
    finally:
        gc.enable()
    billed = time.perf_counter()
    assert len(report.of(Outcome.ISSUED)) == accounts, report.summary()
    return seeded - started, billed - seeded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5_000, help="accounts to bill")
    parser.add_argument(
        "--synchronous", choices=["FULL", "NORMAL"], default="FULL", help="SQLite durability"
    )
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "cycle.sqlite3", synchronous=args.synchronous)
        sqlite_times = _cycle(store.unit_of_work, args.accounts)
        store.close()
    memory_times = _cycle(MemoryStore().unit_of_work, args.accounts)
    for name, (seeding, billing) in (
        (f"SQLite ({args.synchronous})", sqlite_times),
        ("memory", memory_times),
    ):
        rate = args.accounts / billing
        line = (
            f"{name:<16} {args.accounts} accounts billed in {billing:.1f} s: "
            f"{rate:,.0f} accounts/s (seeding {seeding:.1f} s, not timed)"
        )
        if args.accounts < FULL:
            line += f"; extrapolated: {FULL:,} accounts in {FULL / rate / 60:.1f} min"
        print(line)


if __name__ == "__main__":
    main()
