"""SQLite and PostgreSQL side by side: billing-cycle accounts/s, payments/s from 8 threads.

For each store: seed a synthetic book of ``--accounts`` accounts (not timed), run one billing
cycle over it (``run_billing_cycle``, one unit of work per account) and check every account was
billed once; then post ``--payments`` idempotent payments through ``post_payment`` from
``--threads`` threads, each thread delivering *every* payment in its own order, and check none
was lost and none posted twice (``powerretail.testing.workflow_load``). Payments per second
counts payments posted, not deliveries.

PostgreSQL runs in a fresh schema of the server named by ``--pg-dsn`` (or
``POWERRETAIL_TEST_PG_DSN``), dropped afterwards; without a DSN its column says so.

PYTHONPATH=src python benchmarks/storage_throughput.py [--accounts 2000] [--payments 2000]
    [--threads 8] [--pg-dsn postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.load import open_store
from powerretail.testing.workflow_load import (
    check_cycle,
    check_payment_plan,
    payment_plan,
    post_payment_plan,
)
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle

JULY = DateRange.month(2025, 7)
DSN_VARIABLE = "POWERRETAIL_TEST_PG_DSN"


def measure(location: str, accounts: int, payments: int, threads: int) -> tuple[float, float]:
    """Return (billing-cycle accounts/s, payments/s) on the store at ``location``, checked."""
    store = open_store(location, synchronous="NORMAL")
    try:
        ids = seed_book(store.unit_of_work, count=accounts, start=JULY.start, batch=500)
        add_month_reads(store.unit_of_work, ids, JULY, month=1, batch=500)
        clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
        started = time.perf_counter()
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1)
        )
        billed = time.perf_counter() - started
    finally:
        store.close()
    if len(report.of(Outcome.ISSUED)) != accounts:
        raise AssertionError(report.summary())
    if check_cycle(location, ids, JULY) != accounts:
        raise AssertionError(f"not every one of {accounts} accounts billed once")
    plan = payment_plan(payments, accounts=ids, seed=1)
    started = time.perf_counter()
    post_payment_plan(location, plan, threads=threads, seed=0)
    posted = time.perf_counter() - started
    check_payment_plan(location, plan)
    return accounts / billed, len(plan) / posted


@contextmanager
def fresh_schema(dsn: str) -> Iterator[str]:
    """Yield ``dsn`` pointed at a new, empty schema; drop the schema and its tables afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL column needs the extra

    schema = f"bench_{uuid.uuid4().hex}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        separator = "&" if "?" in dsn else "?"
        yield f"{dsn}{separator}options={quote(f'-c search_path={schema}')}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2_000, help="accounts in the cycle")
    parser.add_argument("--payments", type=int, default=2_000, help="payments to post")
    parser.add_argument("--threads", type=int, default=8, help="threads posting payments")
    parser.add_argument("--pg-dsn", default=os.environ.get(DSN_VARIABLE, ""), help="PostgreSQL")
    args = parser.parse_args(argv)
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "throughput.sqlite3")
        sqlite = measure(path, args.accounts, args.payments, args.threads)
    postgres: tuple[str, str] = ("skipped: no DSN", "skipped: no DSN")
    if args.pg_dsn:
        with fresh_schema(args.pg_dsn) as dsn:
            cycle, paid = measure(dsn, args.accounts, args.payments, args.threads)
        postgres = (f"{cycle:,.0f}", f"{paid:,.0f}")
    rows = (
        (f"billing cycle, accounts/s ({args.accounts} accounts)", f"{sqlite[0]:,.0f}", postgres[0]),
        (
            f"payments/s ({args.payments} payments, {args.threads} threads)",
            f"{sqlite[1]:,.0f}",
            postgres[1],
        ),
    )
    width = max(len(row[0]) for row in rows)
    print(f"{'':<{width}}  {'SQLite (NORMAL)':>16}  {'PostgreSQL':>16}")
    for label, lite, pg in rows:
        print(f"{label:<{width}}  {lite:>16}  {pg:>16}")
    print("checked: every account billed once; no payment lost, none posted twice")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
