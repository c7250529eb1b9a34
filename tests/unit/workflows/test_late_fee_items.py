"""Late fees become open items on the receivable, once per account and day, on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.collections.allocation import AllocationOrder, ItemKind
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.payments import (
    LATE_FEE_CHARGED,
    assess_account_late_fees,
    charge_late_fees,
    post_payment,
)
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, NOW, open_account, reads

BILL = "A-1-20250701"  # 246.04 元, issued 2025-08-01, due 2025-08-16


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def billed(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    open_account(make_unit_of_work, clock)
    submit_reads(
        make_unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
    )
    run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return make_unit_of_work


def receivable_of(make_unit_of_work: UnitOfWorkFactory) -> Receivable:
    with make_unit_of_work() as uow:
        return uow.repository(RECEIVABLES).get(AccountId("A-1")).entity


def charge(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock, day: date) -> dict[str, object]:
    return dict(charge_late_fees(make_unit_of_work, clock=clock, account_id="A-1", as_of=day))


class TestChargeLateFees:
    def test_charges_the_assessed_fee_of_an_overdue_bill_as_a_late_fee_item(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        assessed = assess_account_late_fees(billed, account_id="A-1", through=date(2025, 8, 26))
        assert assessed is not None

        result = charge(billed, clock, date(2025, 8, 26))

        fee = assessed.for_bill(BILL).amount
        assert fee.amount > 0
        assert fee == Money("4.92")  # 246.04 × 0.2 % × 10 days, 17–26 August (rules.md §2)
        assert result["charged"] == {BILL: str(fee.amount)}
        receivable = receivable_of(billed)
        item = receivable.item(BILL, ItemKind.LATE_FEE)
        assert item is not None
        assert (item.amount, item.dated) == (fee, date(2025, 8, 26))
        assert receivable.owed == Money("246.04") + fee
        assert receivable.reconciles
        with billed() as uow:
            events = uow.outbox.events_for(BILLS.kind, BILL)
        assert [e.event_type for e in events] == ["BillIssued", LATE_FEE_CHARGED]

    def test_charges_nothing_before_the_bill_is_overdue(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        result = charge(billed, clock, date(2025, 8, 16))

        assert result["charged"] == {}
        assert receivable_of(billed).item(BILL, ItemKind.LATE_FEE) is None

    def test_a_rerun_for_the_same_day_returns_the_first_result_and_charges_nothing_more(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = charge(billed, clock, date(2025, 8, 26))
        before = receivable_of(billed)

        again = charge(billed, clock, date(2025, 8, 26))

        assert again == first
        assert receivable_of(billed) == before

    def test_a_later_day_charges_only_what_accrued_since(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = charge(billed, clock, date(2025, 8, 26))
        later = charge(billed, clock, date(2025, 9, 5))
        earlier = charge(billed, clock, date(2025, 8, 20))  # assessed lower: nothing back

        assessed = assess_account_late_fees(billed, account_id="A-1", through=date(2025, 9, 5))
        assert assessed is not None
        total = Money(str(first["total"])) + Money(str(later["total"]))
        assert total == assessed.for_bill(BILL).amount
        assert earlier["charged"] == {}
        item = receivable_of(billed).item(BILL, ItemKind.LATE_FEE)
        assert item is not None
        assert item.amount == total
        assert receivable_of(billed).reconciles

    def test_a_payment_settles_the_principal_first_and_the_late_fee_last(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        result = charge(billed, clock, date(2025, 8, 26))
        fee = Money(str(result["total"]))

        post_payment(
            billed,
            clock=clock,
            key="gw-1",
            account_id="A-1",
            amount=Money("246.04"),
            received_on=date(2025, 8, 27),
        )
        after_principal = receivable_of(billed)
        post_payment(
            billed,
            clock=clock,
            key="gw-2",
            account_id="A-1",
            amount=fee,
            received_on=date(2025, 8, 28),
        )

        assert after_principal.item(BILL) is None
        assert after_principal.item(BILL, ItemKind.LATE_FEE) is not None
        assert after_principal.owed == fee
        assert after_principal.reconciles
        settled = receivable_of(billed)
        assert settled.open_items == ()
        assert settled.balance.is_zero()
        assert settled.reconciles

    def test_the_assessment_replays_each_payment_in_the_order_it_was_posted_with(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        charge(billed, clock, date(2025, 8, 26))
        post_payment(
            billed,
            clock=clock,
            key="gw-1",
            account_id="A-1",
            amount=Money("100.00"),
            received_on=date(2025, 8, 27),
            order=AllocationOrder.PENALTY_FIRST,
        )

        assessed = assess_account_late_fees(billed, account_id="A-1", through=date(2025, 9, 5))

        assert assessed is not None
        parts = assessed.allocations[0].allocations
        assert [part.kind for part in parts] == [ItemKind.LATE_FEE, ItemKind.PRINCIPAL]
        assert receivable_of(billed).item(BILL, ItemKind.LATE_FEE) is None

    def test_an_account_without_bills_is_charged_nothing(
        self, make_unit_of_work: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        open_account(make_unit_of_work, clock)

        result = charge(make_unit_of_work, clock, date(2025, 9, 1))

        assert (result["charged"], result["total"]) == ({}, "0.00")
