"""A billing cycle never bills a day twice (R4): overlapping periods are refused per account."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import BillState
from powerretail.billing.lifecycle import discard
from powerretail.ids import AccountId, BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.customers import ACCOUNTS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows._common import bill_id_for
from powerretail.workflows.billing_cycle import (
    BillingPeriodOverlaps,
    Outcome,
    bill_account,
    run_billing_cycle,
)
from powerretail.workflows.corrections import correct_bill
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import AUDITOR, AUGUST, JULY, open_account, reads

ISSUED_ON = date(2025, 8, 1)
#: 15 July to 15 August: its first 17 days (15–31 July) are July's.
MID_JULY = DateRange(date(2025, 7, 15), date(2025, 8, 16))


def bills_of(make_unit_of_work: UnitOfWorkFactory, account_id: str = "A-1") -> list[str]:
    with make_unit_of_work() as uow:
        return [s.entity.bill_id for s in uow.repository(BILLS).query(account_id=account_id)]


def owed(make_unit_of_work: UnitOfWorkFactory, account_id: str = "A-1") -> Money:
    with make_unit_of_work() as uow:
        return uow.repository(RECEIVABLES).get(AccountId(account_id)).entity.owed


@pytest.fixture
def july_billed(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    """A-1 with July issued, and reads on 1 and 16 August."""
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=ISSUED_ON)
    submit_reads(
        book, clock=clock, reads=reads("M-A-1", date(2025, 8, 16), ("1150", "2300", "590"))
    )
    return book


class TestOverlaps:
    def test_the_days_of_an_issued_bill_are_not_billed_again(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        before = owed(july_billed)

        report = run_billing_cycle(july_billed, clock=clock, period=MID_JULY, issued_on=ISSUED_ON)

        (outcome,) = report.outcomes
        assert outcome.outcome is Outcome.REFUSED
        assert outcome.bill_id is None
        assert outcome.reason == (
            'account "A-1" is already billed from 2025-07-15 to 2025-07-31 (17 days) by bill '
            '"A-1-20250701" (issued)'
        )
        assert bills_of(july_billed) == ["A-1-20250701"]
        assert owed(july_billed) == before

    def test_the_same_start_with_another_end_is_refused_and_the_cycle_goes_on(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(july_billed, clock, "A-2", customer_id="C-2")
        submit_reads(
            july_billed,
            clock=clock,
            reads=reads("M-A-2", date(2025, 7, 21), ("1010", "2020", "505")),
        )
        first_twenty = DateRange(date(2025, 7, 1), date(2025, 7, 21))

        report = run_billing_cycle(
            july_billed, clock=clock, period=first_twenty, issued_on=ISSUED_ON
        )

        assert [(o.account_id, o.outcome) for o in report.outcomes] == [
            ("A-1", Outcome.REFUSED),
            ("A-2", Outcome.ISSUED),
        ]
        assert "from 2025-07-01 to 2025-07-20 (20 days)" in report.outcomes[0].reason
        assert report.bill_ids == ("A-2-20250701-20250720",)

    def test_the_refusal_is_not_stored_and_names_the_bill(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(BillingPeriodOverlaps) as refused:
            bill_account(
                july_billed, clock=clock, account_id="A-1", period=MID_JULY, issued_on=ISSUED_ON
            )

        assert refused.value.bill_id == "A-1-20250701"
        assert refused.value.days == DateRange(date(2025, 7, 15), date(2025, 8, 1))
        assert refused.value.state is BillState.ISSUED
        with july_billed() as uow:
            assert (
                uow.idempotency.get("bill_account:billing-cycle/A-1/2025-07-15..2025-08-16") is None
            )

    def test_a_held_bill_covers_its_days(self, store: MemoryStore, clock: FixedClock) -> None:
        open_account(store.unit_of_work, clock, typical=Money("10.00"))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )
        held = run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 8, 16), ("1150", "2300", "590")),
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=MID_JULY, issued_on=ISSUED_ON
        )

        assert held.outcomes[0].outcome is Outcome.HELD
        assert report.outcomes[0].outcome is Outcome.REFUSED
        assert '"A-1-20250701" (held)' in report.outcomes[0].reason

    def test_a_discarded_bill_covers_nothing_and_its_id_is_not_reused(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, typical=Money("10.00"))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
        )
        run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON)
        with store.unit_of_work() as uow:
            bills = uow.repository(BILLS)
            held, version = bills.get(BillId("A-1-20250701"))
            gone, _record = discard(held, at=clock.now(), by="reviewer", why="wrong meter")
            bills.save(gone, version)
            uow.commit()
        first_twenty = DateRange(date(2025, 7, 1), date(2025, 7, 21))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 7, 21), ("1060", "2130", "540")),
        )

        report = run_billing_cycle(
            store.unit_of_work,
            clock=clock,
            period=first_twenty,
            issued_on=ISSUED_ON,
            bounds=None,
        )

        assert report.outcomes[0].outcome is Outcome.HELD  # typical 10.00: held, not refused
        assert bills_of(store.unit_of_work) == ["A-1-20250701", "A-1-20250701-20250720"]

    def test_a_rebill_covers_the_days_of_the_bill_it_replaces(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        correct_bill(
            july_billed,
            clock=clock,
            key="fix-1",
            bill_id="A-1-20250701",
            on=date(2025, 8, 5),
            actor=AUDITOR,
            policy=SEED_POLICY,
            why="re-read",
        )

        report = run_billing_cycle(july_billed, clock=clock, period=MID_JULY, issued_on=ISSUED_ON)

        assert '"A-1-20250701-R" (issued)' in report.outcomes[0].reason

    def test_the_next_period_touches_but_does_not_overlap(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        submit_reads(
            july_billed, clock=clock, reads=reads("M-A-1", AUGUST.end, ("1200", "2400", "620"))
        )

        report = run_billing_cycle(july_billed, clock=clock, period=AUGUST, issued_on=ISSUED_ON)

        assert report.outcomes[0].outcome is Outcome.ISSUED
        assert report.bill_ids == ("A-1-20250801",)

    def test_a_period_billed_by_a_move_out_is_that_bill(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        """The same account and period billed under another key: its bill is the answer."""
        open_account(store.unit_of_work, clock)
        final = move_out(
            store.unit_of_work,
            clock=clock,
            key="out-1",
            account_id="A-1",
            on=date(2025, 7, 21),
            final_reads=reads("M-A-1", date(2025, 7, 21), ("1060", "2120", "540")),
            by="clerk",
        )

        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=JULY, issued_on=ISSUED_ON, accounts=["A-1"]
        )

        (outcome,) = report.outcomes
        assert (outcome.outcome, outcome.bill_id, outcome.total) == (
            Outcome.ISSUED,
            "A-1-20250701",
            final["total"],
        )
        assert bills_of(store.unit_of_work) == ["A-1-20250701"]


class TestBillIds:
    def test_a_month_is_named_by_its_start_any_other_period_by_both_days(self) -> None:
        assert bill_id_for("A-1", JULY) == "A-1-20250701"
        assert bill_id_for("A-1", DateRange(date(2025, 7, 1), date(2025, 7, 31))) == (
            "A-1-20250701-20250730"
        )
        assert bill_id_for("A-1", DateRange(date(2025, 7, 1), date(2025, 7, 21))) == (
            "A-1-20250701-20250720"
        )


#: 1–15 July: not a calendar month, so its bill is A-1-20250701-20250715.
FIRST_HALF = DateRange(date(2025, 7, 1), date(2025, 7, 16))
MOVE_DAY = date(2025, 7, 21)


def leave(
    make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, on: date = MOVE_DAY
) -> dict[str, object]:
    return dict(
        move_out(
            make_unit_of_work,
            clock=clock,
            key="out-1",
            account_id="A-1",
            on=on,
            final_reads=reads("M-A-1", on, ("1060", "2120", "540")),
            by="clerk",
        )
    )


def first_half_billed(
    store: MemoryStore, clock: FixedClock, typical: Money | None = None
) -> UnitOfWorkFactory:
    open_account(store.unit_of_work, clock, typical=typical)
    submit_reads(
        store.unit_of_work,
        clock=clock,
        reads=reads("M-A-1", FIRST_HALF.end, ("1040", "2080", "530")),
    )
    run_billing_cycle(store.unit_of_work, clock=clock, period=FIRST_HALF, issued_on=ISSUED_ON)
    return store.unit_of_work


class TestMoveOutOverlaps:
    def test_a_final_month_partly_billed_is_refused_and_nothing_changes(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        """Failed before: the move-out billed all of July, 1–15 July a second time."""
        book = first_half_billed(store, clock)
        before = owed(book)

        with pytest.raises(BillingPeriodOverlaps) as refused:
            leave(book, clock)

        assert str(refused.value) == (
            'account "A-1" is already billed from 2025-07-01 to 2025-07-15 (15 days) by bill '
            '"A-1-20250701-20250715" (issued)'
        )
        assert bills_of(book) == ["A-1-20250701-20250715"]
        assert owed(book) == before
        with book() as uow:
            assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on is None
            assert uow.idempotency.get("move_out:out-1") is None

    def test_a_bill_of_days_after_the_move_out_is_no_overlap(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 7, 25), ("1080", "2160", "550"))
            + reads("M-A-1", JULY.end, ("1100", "2200", "560")),
        )
        late = DateRange(date(2025, 7, 25), JULY.end)
        run_billing_cycle(store.unit_of_work, clock=clock, period=late, issued_on=ISSUED_ON)

        final = leave(store.unit_of_work, clock)

        assert final["bill_id"] == "A-1-20250701"
        with store.unit_of_work() as uow:
            bill = uow.repository(BILLS).get(BillId("A-1-20250701")).entity
        assert bill.period == DateRange(JULY.start, MOVE_DAY)
        assert bills_of(store.unit_of_work) == ["A-1-20250701", "A-1-20250725-20250731"]

    def test_once_the_held_bill_is_discarded_the_same_key_moves_out(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        book = first_half_billed(store, clock, typical=Money("10.00"))
        with pytest.raises(BillingPeriodOverlaps, match=r'"A-1-20250701-20250715" \(held\)'):
            leave(book, clock)
        with book() as uow:
            bills = uow.repository(BILLS)
            held, version = bills.get(BillId("A-1-20250701-20250715"))
            bills.save(discard(held, at=clock.now(), by="rev", why="wrong read")[0], version)
            uow.commit()

        final = leave(book, clock)

        assert final["bill_id"] == "A-1-20250701"
        assert bills_of(book) == ["A-1-20250701", "A-1-20250701-20250715"]

    def test_a_corrected_final_month_s_rebill_is_the_final_bill(
        self, july_billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        """Failed before: the reversed original was taken as the final bill."""
        for key, bill_id in (("fix-1", "A-1-20250701"), ("fix-2", "A-1-20250701-R")):
            correct_bill(
                july_billed,
                clock=clock,
                key=key,
                bill_id=bill_id,
                on=date(2025, 8, 5),
                actor=AUDITOR,
                policy=SEED_POLICY,
                why="re-read",
            )

        final = leave(july_billed, clock, on=date(2025, 8, 1))

        assert (final["bill_id"], final["state"]) == ("A-1-20250701-R-R", "issued")
        with july_billed() as uow:
            assert uow.repository(ACCOUNTS).get(AccountId("A-1")).entity.closed_on == date(
                2025, 8, 1
            )

    def test_a_cycle_over_part_of_a_final_bill_is_refused(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)
        leave(store.unit_of_work, clock)

        report = run_billing_cycle(
            store.unit_of_work,
            clock=clock,
            period=FIRST_HALF,
            issued_on=ISSUED_ON,
            accounts=["A-1"],
        )

        assert report.outcomes[0].outcome is Outcome.REFUSED
        assert '"A-1-20250701" (issued)' in report.outcomes[0].reason
