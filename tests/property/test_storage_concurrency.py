"""Threads and processes posting the same idempotent payments to one SQLite file (R8, bounded)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import attrs
import pytest

from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.testing.ledger import LEDGER_ACCOUNTS
from powerretail.testing.load import check_payments, open_accounts, payment_plan, post_payments


def test_threads_and_processes_lose_no_payment_and_post_none_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "payments.sqlite")
    plan = payment_plan(60, accounts=4, seed=1)
    open_accounts(path, plan)
    context = multiprocessing.get_context("spawn")

    with context.Pool(2) as pool:
        others = [
            pool.apply_async(post_payments, (path, plan), {"threads": 2, "seed": seed})
            for seed in (1, 2)
        ]
        here = post_payments(path, plan, threads=4, seed=0)
        calls = here + sum(result.get(timeout=120) for result in others)

    check_payments(path, plan)
    assert calls >= 8 * len(plan)  # every payment delivered by each of the 8 threads


class TestCheckPayments:
    def test_notices_a_payment_never_posted(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite")
        plan = payment_plan(6, accounts=2)
        open_accounts(path, plan)
        post_payments(path, plan[:5])

        with pytest.raises(AssertionError, match="5 postings for 6 payments"):
            check_payments(path, plan)

    def test_notices_a_balance_that_is_not_the_sum(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite")
        plan = payment_plan(4, accounts=2)
        open_accounts(path, plan)
        post_payments(path, plan)
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            accounts = uow.repository(LEDGER_ACCOUNTS)
            account, version = accounts.get(AccountId("A-0000"))
            accounts.save(attrs.evolve(account, balance=account.balance + Money("0.01")), version)
            uow.commit()
        store.close()

        with pytest.raises(AssertionError, match="A-0000: balance"):
            check_payments(path, plan)

    def test_notices_an_event_missing(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite")
        plan = payment_plan(3, accounts=1)
        open_accounts(path, plan)
        post_payments(path, plan)
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            uow.outbox.mark_published(["E-pay-000000"])
            uow.commit()
        store.close()

        with pytest.raises(AssertionError, match="2 events for 3 payments"):
            check_payments(path, plan)

    def test_a_worker_failure_reaches_the_caller(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite")
        plan = payment_plan(2, accounts=1)  # no account opened

        with pytest.raises(NotFound, match="A-0000"):
            post_payments(path, plan, threads=2)
