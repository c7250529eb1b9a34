"""The checks of the workflow load kit notice what they are meant to notice."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import NotFound
from powerretail.ids import AccountId, BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.events import DomainEvent
from powerretail.repositories.payments import RECEIVABLES
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.testing.workflow_load import (
    check_cycle,
    check_payment_plan,
    payment_plan,
    post_payment_plan,
    run_cycle_in_process,
)
from powerretail.timeframe import DateRange

JULY = DateRange.month(2025, 7)


def a_book(path: str, count: int = 2) -> tuple[str, ...]:
    store = SqliteStore(path, synchronous="NORMAL")
    accounts = seed_book(store.unit_of_work, count=count, start=JULY.start)
    add_month_reads(store.unit_of_work, accounts, JULY, month=1)
    store.close()
    return accounts


def tamper(path: str, account_id: str, **changes: object) -> None:
    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(AccountId(account_id))
        receivables.save(attrs.evolve(receivable, **changes), version)  # type: ignore[arg-type]
        uow.commit()
    store.close()


class TestCheckPaymentPlan:
    def test_passes_a_plan_posted_once(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite3")
        plan = payment_plan(6, accounts=a_book(path))

        assert post_payment_plan(path, plan, threads=2) >= 12
        check_payment_plan(path, plan)

    def test_notices_a_payment_never_posted(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite3")
        plan = payment_plan(4, accounts=a_book(path))
        post_payment_plan(path, plan[:3])

        with pytest.raises(AssertionError, match="3 payments stored for 4"):
            check_payment_plan(path, plan)

    def test_notices_a_receivable_that_does_not_add_up(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite3")
        accounts = a_book(path)
        plan = payment_plan(2, accounts=accounts)
        post_payment_plan(path, plan)
        tamper(path, accounts[0], paid=Money("0.01"))

        with pytest.raises(AssertionError, match="A-000000: paid"):
            check_payment_plan(path, plan)


class TestCheckCycle:
    def test_counts_the_accounts_billed(self, tmp_path: Path) -> None:
        path = str(tmp_path / "c.sqlite3")
        accounts = a_book(path)

        assert check_cycle(path, accounts, JULY) == 0
        run_cycle_in_process(path, str(JULY.start), str(JULY.end))
        assert check_cycle(path, accounts, JULY) == 2

    def test_notices_a_charge_that_does_not_match_the_bills(self, tmp_path: Path) -> None:
        path = str(tmp_path / "c.sqlite3")
        accounts = a_book(path)
        run_cycle_in_process(path, str(JULY.start), str(JULY.end))
        tamper(path, accounts[1], issued=Money("1.00"))

        with pytest.raises(AssertionError, match="A-000001: issued"):
            check_cycle(path, accounts, JULY)


class TestFailures:
    def test_an_error_in_a_worker_thread_is_raised(self, tmp_path: Path) -> None:
        path = str(tmp_path / "p.sqlite3")
        a_book(path)

        with pytest.raises(NotFound, match="nobody"):
            post_payment_plan(path, payment_plan(1, accounts=("nobody",)), threads=2)

    def test_a_second_bill_for_the_period_is_a_duplicate(self, tmp_path: Path) -> None:
        path = str(tmp_path / "c.sqlite3")
        accounts = a_book(path)
        run_cycle_in_process(path, str(JULY.start), str(JULY.end))
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            bills = uow.repository(BILLS)
            bill = bills.get(BillId("A-000000-20250701")).entity
            bills.add(attrs.evolve(bill, bill_id="A-000000-copy"))
            uow.commit()
        store.close()

        with pytest.raises(AssertionError, match="A-000000: 2 bills"):
            check_cycle(path, accounts, JULY)

    def test_a_bill_announced_twice_is_noticed(self, tmp_path: Path) -> None:
        path = str(tmp_path / "c.sqlite3")
        accounts = a_book(path)
        run_cycle_in_process(path, str(JULY.start), str(JULY.end))
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            (original,) = uow.outbox.events_for(BILLS.kind, "A-000000-20250701")
            uow.outbox.append(
                DomainEvent(
                    event_id="E-again",
                    aggregate_kind=original.aggregate_kind,
                    aggregate_id=original.aggregate_id,
                    event_type=original.event_type,
                    schema_major=1,
                    payload=original.payload,
                    occurred_at=original.occurred_at,
                )
            )
            uow.commit()
        store.close()

        with pytest.raises(AssertionError, match="2 events"):
            check_cycle(path, accounts, JULY)
