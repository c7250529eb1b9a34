"""Done means: threads and processes posting payments to one SQLite file; a cycle killed mid-way.

Bounded for CI (a few seconds); ``benchmarks/workflow_payments.py`` and
``benchmarks/billing_cycle.py`` run the large versions.
"""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
from datetime import date
from pathlib import Path

import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.workflow_load import (
    check_cycle,
    check_payment_plan,
    payment_plan,
    post_payment_plan,
    run_cycle_in_process,
)
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle

JULY = DateRange.month(2025, 7)
CLOCK = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))


def billed_book(path: str, count: int, *, bill: bool) -> tuple[str, ...]:
    store = SqliteStore(path, synchronous="NORMAL")
    accounts = seed_book(store.unit_of_work, count=count, start=JULY.start)
    add_month_reads(store.unit_of_work, accounts, JULY, month=1)
    if bill:
        run_billing_cycle(store.unit_of_work, clock=CLOCK, period=JULY, issued_on=date(2025, 8, 1))
    store.close()
    return accounts


def test_8_threads_and_4_processes_lose_no_payment_and_post_none_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "payments.sqlite3")
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
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "cycle.sqlite3")
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
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert check_cycle(path, accounts, JULY) == 20

    store = SqliteStore(path, synchronous="NORMAL")
    report = run_billing_cycle(
        store.unit_of_work, clock=CLOCK, period=JULY, issued_on=date(2025, 8, 1)
    )
    store.close()

    assert len(report.of(Outcome.ISSUED)) == len(accounts)
    assert check_cycle(path, accounts, JULY) == len(accounts)
