"""Posting payments once per key, oldest first; late fees from the stored bills and payments."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.collections.allocation import AllocationOrder
from powerretail.errors import IdempotencyConflict, NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.commands import CommandRefused, recorded
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.payments import (
    PaymentReceipt,
    account_balance,
    assess_account_late_fees,
    post_payment,
)
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import AUGUST, JULY, reads

BILLED = Money("246.04")  # 100 peak, 200 flat, 60 valley kWh on JS-CI-TOU-1P, 160 kVA


@pytest.fixture
def billed(book: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    """A-1 billed for July (246.04, due 2025-08-16) and August (issued 2025-09-01)."""
    run_billing_cycle(book, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    submit_reads(book, clock=clock, reads=reads("M-A-1", AUGUST.end, ("1200", "2400", "620")))
    run_billing_cycle(book, clock=clock, period=AUGUST, issued_on=date(2025, 9, 1))
    return book


def pay(
    make_unit_of_work: UnitOfWorkFactory,
    clock: FixedClock,
    key: str,
    amount: str,
    *,
    on: date = date(2025, 9, 5),
    order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST,
) -> PaymentReceipt:
    return post_payment(
        make_unit_of_work,
        clock=clock,
        key=key,
        account_id="A-1",
        amount=Money(amount),
        received_on=on,
        order=order,
    )


class TestPostPayment:
    def test_settles_the_oldest_bill_first_and_keeps_the_rest_as_credit(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        owed = account_balance(billed, account_id="A-1").owed

        receipt = pay(billed, clock, "gw-1", str((owed + Money("10.00")).amount))

        assert receipt.applied == owed
        assert receipt.credit == Money("10.00")
        assert receipt.balance == Money("-10.00")
        with billed() as uow:
            payment = uow.repository(PAYMENTS).get(receipt.payment_id).entity
        assert [p.bill_id for p in payment.allocations] == ["A-1-20250701", "A-1-20250801"]

    def test_a_retry_returns_the_first_receipt_and_posts_once(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        first = pay(billed, clock, "gw-1", "100.00")
        again = pay(billed, clock, "gw-1", "100.00")

        assert again == first
        with billed() as uow:
            assert len(uow.repository(PAYMENTS).keys(account_id="A-1")) == 1
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
            events = uow.outbox.events_for(RECEIVABLES.kind, "A-1")
        assert receivable.paid == Money("100.00")
        assert receivable.reconciles
        assert [e.event_type for e in events] == ["PaymentPosted"]

    def test_the_same_key_for_another_payment_is_refused(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "100.00")

        with pytest.raises(IdempotencyConflict):
            pay(billed, clock, "gw-1", "100.01")

    def test_a_payment_of_nothing_is_refused_for_good(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match="above zero"):
            pay(billed, clock, "gw-0", "0.00")
        with pytest.raises(CommandRefused):
            pay(billed, clock, "gw-0", "0.00")

    def test_a_payment_to_an_unknown_account_is_not_found_and_not_recorded(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(NotFound):
            post_payment(
                billed,
                clock=clock,
                key="gw-x",
                account_id="nobody",
                amount=Money("1.00"),
                received_on=date(2025, 9, 1),
            )
        with billed() as uow:
            assert recorded(uow.idempotency, "post_payment", "gw-x") is None

    def test_follows_the_allocation_policy(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        receipt = pay(billed, clock, "gw-1", "1.00", order=AllocationOrder.BILL_BY_BILL)

        assert receipt.applied == Money("1.00")


class TestLateFees:
    def test_accrue_on_what_is_unpaid_after_the_due_date(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, "gw-1", "100.00", on=date(2025, 8, 20))

        assessment = assess_account_late_fees(billed, account_id="A-1", through=date(2025, 8, 31))

        assert assessment is not None
        july = assessment.for_bill("A-1-20250701")
        assert july.deadline == date(2025, 8, 16)
        assert july.amount.amount > 0
        # 246.04 × 0.2 % × 4 days (17–20 Aug) + 146.04 × 0.2 % × 11 days = 5.1812 (rules.md §2)
        assert july.amount == Money("5.18")
        assert assessment.for_bill("A-1-20250801").amount.is_zero()

    def test_are_none_before_any_bill(self, book: UnitOfWorkFactory) -> None:
        assert assess_account_late_fees(book, account_id="A-1", through=date(2025, 9, 1)) is None
