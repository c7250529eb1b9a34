"""10 000 payments posted by 8 threads and 4 processes to one SQLite file: none lost, none twice.

Every worker (8 threads here, plus 4 processes with one thread each) posts *every* payment of
the plan through ``workflows.payments.post_payment``, in its own order, retrying when the file is
busy or another writer won — so each payment is delivered 12 times, concurrently. Afterwards the
check proves each was posted exactly once and every receivable reconciles (R8, R20).

PYTHONPATH=src python benchmarks/workflow_payments.py [--payments 10000] [--accounts 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.workflow_load import check_payment_plan, payment_plan, post_payment_plan
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import run_billing_cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100)
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    july = DateRange.month(2025, 7)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "payments.sqlite3")
        store = SqliteStore(path, synchronous="NORMAL")
        accounts = seed_book(store.unit_of_work, count=args.accounts, start=july.start)
        add_month_reads(store.unit_of_work, accounts, july, month=1)
        clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
        run_billing_cycle(store.unit_of_work, clock=clock, period=july, issued_on=date(2025, 8, 1))
        store.close()
        plan = payment_plan(args.payments, accounts=accounts, seed=1)
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(4) as pool:
            others = [
                pool.apply_async(post_payment_plan, (path, plan), {"threads": 1, "seed": seed})
                for seed in (1, 2, 3, 4)
            ]
            calls = post_payment_plan(path, plan, threads=8, seed=0)
            calls += sum(result.get() for result in others)
        elapsed = time.perf_counter() - started
        check_payment_plan(path, plan)
    print(
        f"{len(plan)} payments × 12 workers = {calls} calls in {elapsed:.1f} s "
        f"({calls / elapsed:,.0f} calls/s, {len(plan) / elapsed:,.0f} payments posted/s); "
        "none lost, none posted twice"
    )


if __name__ == "__main__":
    main()
