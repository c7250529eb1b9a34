"""Deposits held, applied to the final bill, moved on move-in and refunded; prepaid accounts."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.collections.deposits import MovementKind
from powerretail.collections.prepayment import PrepaymentPolicy, PrepaymentStatus
from powerretail.errors import InvalidInput
from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import Money
from powerretail.repositories.collections import DEPOSIT_MOVEMENTS, PREPAYMENT_ALERTS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.collections import (
    apply_deposit,
    check_prepayment,
    hold_deposit,
    prepay,
    refund_deposit,
    transfer_deposit,
)

DAY = date(2025, 3, 10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(pendulum.datetime(2025, 3, 10, 9, tz="Asia/Shanghai"))


@pytest.fixture
def book(make_unit_of_work: UnitOfWorkFactory) -> UnitOfWorkFactory:
    with make_unit_of_work() as uow:
        for account, customer in (("A-1", "C-1"), ("A-2", "C-1"), ("A-3", "C-3")):
            uow.repository(RECEIVABLES).add(
                Receivable.open(account_id=account, customer_id=customer)
            )
        uow.commit()
    return make_unit_of_work


def receivable(book: UnitOfWorkFactory, account: str) -> Receivable:
    with book() as uow:
        return uow.repository(RECEIVABLES).get(AccountId(account)).entity


def charge(book: UnitOfWorkFactory, account: str, bill: str, amount: str) -> None:
    with book() as uow:
        found, version = uow.repository(RECEIVABLES).get(AccountId(account))
        uow.repository(RECEIVABLES).save(found.charge(bill, Money(amount), dated=DAY), version)
        uow.commit()


class TestDeposits:
    def test_refused_under_the_2024_rules_without_a_contract_clause_naming_the_rule(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match=r"《供电营业规则》\(2024 revision"):
            hold_deposit(
                book, clock=clock, key="d-1", account_id="A-1", amount=Money("800.00"), on=DAY
            )
        assert receivable(book, "A-1").deposit == Money("0.00")

    def test_held_under_a_contract_clause_then_applied_to_the_final_bill_and_refunded(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        held = hold_deposit(
            book,
            clock=clock,
            key="d-1",
            account_id="A-1",
            amount=Money("800.00"),
            on=DAY,
            contract_clause="供用电合同 第12条 保证金",
        )
        assert held["basis"] == "supply contract: 供用电合同 第12条 保证金"
        assert receivable(book, "A-1").deposit == Money("800.00")
        charge(book, "A-1", "FINAL-1", "612.40")  # the final bill at move-out
        applied = apply_deposit(book, clock=clock, key="d-2", account_id="A-1", on=DAY)
        assert (applied["amount"], applied["left"], applied["balance"]) == (
            "612.40",
            "187.60",
            "0.00",
        )
        after = receivable(book, "A-1")
        assert after.reconciles
        assert after.item("FINAL-1") is None
        with book() as uow:  # stored as a payment, so late fees stop on what it paid
            assert uow.repository(PAYMENTS).get(PaymentId("P-DEP-d-2")).entity.amount == Money(
                "612.40"
            )
        refund = refund_deposit(book, clock=clock, key="d-3", account_id="A-1", on=DAY)
        assert refund["amount"] == "187.60"
        assert receivable(book, "A-1").deposit == Money("0.00")
        with book() as uow:
            kinds = [
                m.entity.kind for m in uow.repository(DEPOSIT_MOVEMENTS).query(account_id="A-1")
            ]
        assert sorted(k.value for k in kinds) == ["applied", "held", "refunded"]
        with pytest.raises(CommandRefused, match="holds no deposit to refund"):
            refund_deposit(book, clock=clock, key="d-4", account_id="A-1", on=DAY)
        with pytest.raises(CommandRefused, match="holds no deposit to apply"):
            apply_deposit(book, clock=clock, key="d-5", account_id="A-1", on=DAY)

    def test_held_under_the_1996_rules_and_moved_to_the_same_customers_new_account(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        old_day = date(2023, 5, 1)
        held = hold_deposit(
            book, clock=clock, key="d-1", account_id="A-1", amount=Money("500.00"), on=old_day
        )
        assert "1996" in str(held["basis"])
        moved = transfer_deposit(
            book, clock=clock, key="t-1", from_account="A-1", to_account="A-2", on=DAY
        )
        assert (moved["kind"], moved["amount"]) == (MovementKind.TRANSFERRED_IN.value, "500.00")
        assert (receivable(book, "A-1").deposit, receivable(book, "A-2").deposit) == (
            Money("0.00"),
            Money("500.00"),
        )
        with pytest.raises(CommandRefused, match="an account of customer 'C-1'"):
            transfer_deposit(
                book, clock=clock, key="t-2", from_account="A-2", to_account="A-3", on=DAY
            )
        with pytest.raises(CommandRefused, match="holds no deposit to transfer"):
            transfer_deposit(
                book, clock=clock, key="t-3", from_account="A-1", to_account="A-2", on=DAY
            )

    def test_no_refund_while_something_is_owed_and_nothing_to_apply_when_nothing_is(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        hold_deposit(
            book,
            clock=clock,
            key="d-1",
            account_id="A-1",
            amount=Money("100.00"),
            on=date(2023, 1, 1),
        )
        with pytest.raises(CommandRefused, match="nothing is owed"):
            apply_deposit(book, clock=clock, key="d-2", account_id="A-1", on=DAY)
        charge(book, "A-1", "B-1", "20.00")
        with pytest.raises(CommandRefused, match=r"refund while 20\.00 CNY is owed"):
            refund_deposit(book, clock=clock, key="d-3", account_id="A-1", on=DAY)

    def test_a_deposit_is_money_above_zero(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(InvalidInput, match="amount"):
            hold_deposit(
                book, clock=clock, key="d-0", account_id="A-1", amount=Money("0.00"), on=DAY
            )


class TestPrepayment:
    def test_a_prepayment_is_drawn_down_by_bills_and_alerts_once_a_day_when_low(
        self, book: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        policy = PrepaymentPolicy(low_balance=Money("100.00"), source="营业厅预存电费提醒")
        standing = prepay(
            book,
            clock=clock,
            key="pre-1",
            account_id="A-1",
            amount=Money("300.00"),
            received_on=DAY,
            policy=policy,
        )
        assert (standing.balance, standing.status) == (Money("300.00"), PrepaymentStatus.SUFFICIENT)
        first = check_prepayment(book, clock=clock, account_id="A-1", as_of=DAY, policy=policy)
        assert first.alert_id is None
        charge(book, "A-1", "B-1", "245.50")  # the bill draws the prepaid credit down
        assert receivable(book, "A-1").owed == Money("0.00")
        low = check_prepayment(
            book, clock=clock, account_id="A-1", as_of=date(2025, 3, 11), policy=policy
        )
        assert (low.standing.balance, low.standing.status) == (
            Money("54.50"),
            PrepaymentStatus.LOW,
        )
        assert low.alert_id == "PRE-A-1-2025-03-11"
        again = check_prepayment(
            book, clock=clock, account_id="A-1", as_of=date(2025, 3, 11), policy=policy
        )
        assert again == low
        with book() as uow:
            alerts = uow.repository(PREPAYMENT_ALERTS).query(account_id="A-1")
        assert [a.entity.balance for a in alerts] == [Money("54.50")]
        charge(book, "A-1", "B-2", "80.00")
        owing = check_prepayment(
            book, clock=clock, account_id="A-1", as_of=date(2025, 3, 12), policy=policy
        )
        assert (owing.standing.balance, owing.standing.status) == (
            Money("-25.50"),
            PrepaymentStatus.IN_ARREARS,
        )
