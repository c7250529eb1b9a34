"""Moving out (final bill prorated to the day, contact record) and in (deposit carried over)."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.ids import AccountId, BillId, CustomerId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.customers import ACCOUNTS, CONTACT_RECORDS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows._common import ReadsMissing
from powerretail.workflows.billing_cycle import Outcome, run_billing_cycle
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, open_account, reads

MOVE_DAY = date(2025, 7, 21)  # 20 days of service in July


def leave(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, key: str = "out-1"):  # type: ignore[no-untyped-def]
    return move_out(
        make_unit_of_work,
        clock=clock,
        key=key,
        account_id="A-1",
        on=MOVE_DAY,
        final_reads=reads("M-A-1", MOVE_DAY, ("1060", "2120", "540")),
        by="counter-clerk",
        note="keys returned",
    )


@pytest.fixture
def occupied(store: MemoryStore, clock: FixedClock) -> UnitOfWorkFactory:
    open_account(store.unit_of_work, clock)
    return store.unit_of_work


class TestMoveOut:
    def test_bills_the_days_of_service_and_closes_the_account(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        result = leave(occupied, clock)

        with occupied() as uow:
            bill = uow.repository(BILLS).get(BillId(str(result["bill_id"]))).entity
            account = uow.repository(ACCOUNTS).get(AccountId("A-1")).entity
            profile = uow.repository(BILLING_PROFILES).get(AccountId("A-1")).entity
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        assert bill.bill_id == "A-1-20250701"
        assert {line.period for line in bill.lines} == {DateRange(JULY.start, MOVE_DAY)}
        assert account.closed_on == MOVE_DAY
        assert not profile.active
        assert profile.facts.closed_on == MOVE_DAY
        assert receivable.owed == bill.total
        assert result["balance"] == str(bill.total.amount)

    def test_writes_a_contact_record_entry(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(occupied, clock)

        with occupied() as uow:
            record = uow.repository(CONTACT_RECORDS).get(CustomerId("C-1")).entity
        assert record.latest.who == "counter-clerk"
        assert "move-out of account A-1 on 2025-07-21" in record.latest.what
        assert "keys returned" in record.latest.what

    def test_the_cycle_no_longer_bills_the_account(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(occupied, clock)

        report = run_billing_cycle(occupied, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        assert report.outcomes == ()
        with pytest.raises(CommandRefused, match="closed"):
            leave(occupied, clock, key="out-2")

    def test_on_the_first_of_a_month_the_cycle_s_bill_is_the_final_one(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        submit_reads(occupied, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560")))
        run_billing_cycle(occupied, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        result = move_out(
            occupied,
            clock=clock,
            key="out-1",
            account_id="A-1",
            on=date(2025, 8, 1),
            final_reads=(),
            by="clerk",
        )

        assert result["bill_id"] == "A-1-20250701"
        with occupied() as uow:
            assert uow.repository(BILLS).keys(account_id="A-1") == ("A-1-20250701",)
            assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on == date(
                2025, 8, 1
            )

    def test_without_the_final_reads_nothing_changes(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(ReadsMissing):
            move_out(
                occupied,
                clock=clock,
                key="out-1",
                account_id="A-1",
                on=MOVE_DAY,
                final_reads=(),
                by="clerk",
            )
        with occupied() as uow:
            assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on is None


class TestMoveIn:
    def test_the_debt_stays_with_who_incurred_it_and_the_next_occupant_starts_clean(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(occupied, clock)
        open_account(
            occupied,
            clock,
            "A-2",
            customer_id="C-2",
            meter_id="M-A-1",
            opened_on=MOVE_DAY,
            start_reads=("1060", "2120", "540"),
            start_day=MOVE_DAY,
        )
        occupied_reads = reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        submit_reads(occupied, clock=clock, reads=occupied_reads)

        report = run_billing_cycle(occupied, clock=clock, period=JULY, issued_on=date(2025, 8, 1))

        assert [o.outcome for o in report.outcomes] == [Outcome.ISSUED]
        with occupied() as uow:
            old = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            new = uow.repository(RECEIVABLES).get(AccountId("A-2")).entity
            bill = uow.repository(BILLS).get(BillId("A-2-20250701")).entity
        assert old.owed.amount > 0
        assert old.customer_id == "C-1"
        assert new.owed == bill.total
        assert new.customer_id == "C-2"
        assert {line.period for line in bill.lines} == {DateRange(MOVE_DAY, JULY.end)}

    def test_a_deposit_is_carried_over_when_the_customer_moves_the_same_day(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(occupied, clock)

        open_account(
            occupied,
            clock,
            "A-3",
            customer_id="C-1",
            opened_on=MOVE_DAY,
            start_day=MOVE_DAY,
            carry_deposit_from="A-1",
            deposit=Money("0.01"),
        )

        with occupied() as uow:
            old = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            new = uow.repository(RECEIVABLES).get(AccountId("A-3")).entity
        assert old.deposit.is_zero()
        assert new.deposit == Money("300.01")

    def test_a_deposit_is_not_carried_from_another_customer_or_another_day(
        self, occupied: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        leave(occupied, clock)

        with pytest.raises(CommandRefused, match="belongs to customer C-1"):
            open_account(
                occupied,
                clock,
                "A-4",
                customer_id="C-9",
                opened_on=MOVE_DAY,
                carry_deposit_from="A-1",
            )
        with pytest.raises(CommandRefused, match="not on the move-in day"):
            open_account(
                occupied,
                clock,
                "A-5",
                customer_id="C-1",
                opened_on=date(2025, 7, 22),
                carry_deposit_from="A-1",
            )
