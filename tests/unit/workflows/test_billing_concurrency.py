"""Two units billing overlapping periods of one account at once: only one bill stands (R4).

The units are interleaved by hand, not by timing: the first one has checked the account's bills
and staged its own when, just before it commits, the second runs to its end. The bills are held
(implausible against a typical bill of 10.00), so neither touches the receivable — before the
fix nothing else made the two units meet, and both bills were stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.testing.faults import DelegatingUnitOfWork
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import BillingPeriodOverlaps, bill_account
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)
FIRST_TWENTY = DateRange(date(2025, 7, 1), date(2025, 7, 21))


class _CommitsAfter(DelegatingUnitOfWork):
    def __init__(self, inner: UnitOfWork, factory: Interleaved) -> None:
        super().__init__(inner)
        self._factory = factory

    def commit(self) -> None:
        self._factory.run_the_other()
        super().commit()


class Interleaved:
    """A unit-of-work factory whose first commit lets ``other`` run to its end just before."""

    def __init__(self, store: MemoryStore, other: Callable[[], object]) -> None:
        self._store = store
        self._other: Callable[[], object] | None = other
        self.units = 0

    def __call__(self) -> UnitOfWork:
        self.units += 1
        return _CommitsAfter(self._store.unit_of_work(), self)

    def run_the_other(self) -> None:
        other, self._other = self._other, None
        if other is not None:
            other()


@pytest.fixture
def held_account(store: MemoryStore, clock: FixedClock) -> MemoryStore:
    """A-1 with a typical bill of 10.00 (so its bills are held) and reads of 1, 21 and 31 July."""
    open_held_account(store.unit_of_work, clock)
    return store


def open_held_account(make_unit_of_work: Callable[[], UnitOfWork], clock: FixedClock) -> None:
    open_account(make_unit_of_work, clock, typical=Money("10.00"))
    for day, values in (
        (FIRST_TWENTY.end, ("1060", "2120", "540")),
        (JULY.end, ("1100", "2200", "560")),
    ):
        submit_reads(make_unit_of_work, clock=clock, reads=reads("M-A-1", day, values))


def bills_of(store: MemoryStore | SqliteStore) -> list[str]:
    with store.unit_of_work() as uow:
        return [s.entity.bill_id for s in uow.repository(BILLS).query(account_id="A-1")]


def bill(store_or_factory: Callable[[], UnitOfWork], clock: FixedClock, period: DateRange) -> None:
    bill_account(
        store_or_factory, clock=clock, account_id="A-1", period=period, issued_on=ISSUED_ON
    )


class TestConcurrentOverlaps:
    def test_the_second_of_two_overlapping_cycles_is_refused(
        self, held_account: MemoryStore, clock: FixedClock
    ) -> None:
        """Failed before: A-1-20250701 and A-1-20250701-20250720 were both stored, held."""
        store = held_account
        first = Interleaved(store, lambda: bill(store.unit_of_work, clock, FIRST_TWENTY))

        with pytest.raises(BillingPeriodOverlaps, match=r'"A-1-20250701-20250720" \(held\)'):
            bill(first, clock, JULY)

        assert bills_of(store) == ["A-1-20250701-20250720"]
        assert first.units == 3  # which draft of its key; a commit that conflicted; the retry

    def test_a_move_out_racing_a_cycle_over_its_final_month_is_refused(
        self, held_account: MemoryStore, clock: FixedClock
    ) -> None:
        """Failed before: the move-out's final bill A-1-20250701 joined the cycle's."""
        store = held_account
        day = FIRST_TWENTY.end
        leaving = Interleaved(store, lambda: bill(store.unit_of_work, clock, FIRST_TWENTY))

        with pytest.raises(BillingPeriodOverlaps, match=r'"A-1-20250701-20250720"'):
            move_out(
                leaving,
                clock=clock,
                key="out-1",
                account_id="A-1",
                on=day,
                final_reads=reads("M-A-1", day, ("1060", "2120", "540")),
                by="clerk",
            )

        assert bills_of(store) == ["A-1-20250701-20250720"]
        with store.unit_of_work() as uow:
            assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on is None


def test_on_sqlite_two_threads_billing_overlapping_periods_leave_one_bill(
    tmp_path: Path, clock: FixedClock
) -> None:
    """SQLite runs one writing unit at a time (``BEGIN IMMEDIATE``): whichever thread is first,
    the other sees its bill and is refused."""
    store = SqliteStore(tmp_path / "book.sqlite")
    try:
        open_held_account(store.unit_of_work, clock)
        refused: list[BillingPeriodOverlaps] = []

        def run(period: DateRange) -> None:
            try:
                bill(store.unit_of_work, clock, period)
            except BillingPeriodOverlaps as err:
                refused.append(err)

        threads = [threading.Thread(target=run, args=(p,)) for p in (JULY, FIRST_TWENTY)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        (stored,) = bills_of(store)
        assert stored in ("A-1-20250701", "A-1-20250701-20250720")
        assert [err.bill_id for err in refused] == [stored]
    finally:
        store.close()
