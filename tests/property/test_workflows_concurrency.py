"""Done means: threads and processes posting payments to one store; a cycle killed mid-way.

Each test runs on a SQLite file and on a PostgreSQL server (``POWERRETAIL_TEST_PG_DSN``).

Bounded for CI (a few seconds); ``benchmarks/workflow_payments.py`` and
``benchmarks/billing_cycle.py`` run the large versions.
"""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.load import open_store
from powerretail.testing.workflow_load import (
    check_cycle,
    check_payment_plan,
    payment_plan,
    post_payment_plan,
    run_cycle_in_process,
)
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from tests.postgres_server import fresh_schema, schema_dsn, server_dsn

JULY = DateRange.month(2025, 7)
CLOCK = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the store is: a SQLite file, or a fresh schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.sqlite3")
        return
    dsn = server_dsn()
    for schema in fresh_schema(dsn):
        yield schema_dsn(dsn, schema)


def billed_book(path: str, count: int, *, bill: bool) -> tuple[str, ...]:
    store = open_store(path, synchronous="NORMAL")
    accounts = seed_book(store.unit_of_work, count=count, start=JULY.start)
    add_month_reads(store.unit_of_work, accounts, JULY, month=1)
    if bill:
        run_billing_cycle(store.unit_of_work, clock=CLOCK, period=JULY, issued_on=date(2025, 8, 1))
    store.close()
    return accounts


def test_8_threads_and_4_processes_lose_no_payment_and_post_none_twice(location: str) -> None:
    path = location
    accounts = billed_book(path, 4, bill=True)
    plan = payment_plan(40, accounts=accounts, seed=3)
    context = multiprocessing.get_context("spawn")

    with context.Pool(4) as pool:
        others = [
            pool.apply_async(post_payment_plan, (path, plan), {"threads": 1, "seed": seed})
            for seed in (1, 2, 3, 4)
        ]
        here = post_payment_plan(path, plan, threads=8, seed=0)
        calls = here + sum(result.get(timeout=240) for result in others)

    check_payment_plan(path, plan)
    assert calls >= 12 * len(plan)  # every payment delivered by each of the 12 workers


def test_a_cycle_killed_mid_way_leaves_the_file_consistent_and_a_rerun_completes_it(
    location: str,
) -> None:
    path = location
    accounts = billed_book(path, 60, bill=False)
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=run_cycle_in_process,
        args=(path, str(JULY.start), str(JULY.end)),
        kwargs={"kill_after": 20},
    )
    child.start()
    child.join(timeout=240)

    # killed after exactly 20 accounts, inside an open transaction deleting every bill
    assert child.exitcode == -signal.SIGKILL
    if not path.startswith("postgresql://"):
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()
    assert check_cycle(path, accounts, JULY) == 20

    store = open_store(path, synchronous="NORMAL")
    report = run_billing_cycle(
        store.unit_of_work, clock=CLOCK, period=JULY, issued_on=date(2025, 8, 1)
    )
    store.close()

    assert len(report.of(Outcome.ISSUED)) == len(accounts)
    assert check_cycle(path, accounts, JULY) == len(accounts)
