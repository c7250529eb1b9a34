"""An account lives through days and payments: every fen stays accounted for (R3, R10), penalties
never shrink as time passes, and credit is never negative."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.collections.allocation import AllocationOrder
from powerretail.collections.late_fees import (
    CustomerKind,
    LateFeeAssessment,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    assess_late_fees,
)
from powerretail.quantities import Money, sum_money
from tests.strategies.collections import customer_kinds, orders

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2, allow_nan=False
).map(Money)


class AccountLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.today = date(2024, 11, 1)
        self.bills: tuple[LateFeeBill, ...] = ()
        self.payments: list[LateFeePayment] = []
        self.policy = LateFeePolicy()
        self.previous: LateFeeAssessment | None = None

    @initialize(
        principals=st.lists(amounts, min_size=1, max_size=3),
        kind=customer_kinds,
        order=orders,
    )
    def open_account(
        self, principals: list[Money], kind: CustomerKind, order: AllocationOrder
    ) -> None:
        self.bills = tuple(
            LateFeeBill(
                bill_id=f"B{index}",
                principal=principal,
                customer_kind=kind,
                due_date=self.today + timedelta(days=30 * index + 10),
            )
            for index, principal in enumerate(principals)
        )
        self.policy = LateFeePolicy(allocation=order)

    def assess(self) -> LateFeeAssessment:
        return assess_late_fees(self.bills, self.payments, through=self.today, policy=self.policy)

    @rule(days=st.integers(1, 120))
    def time_passes(self, days: int) -> None:
        before = self.assess()
        self.today += timedelta(days=days)

        after = self.assess()

        for old, new in zip(before.bills, after.bills, strict=True):
            assert new.amount >= old.amount
            assert new.paid == old.paid
        assert after.credit == before.credit

    @rule(amount=amounts)
    def customer_pays(self, amount: Money) -> None:
        self.payments.append(
            LateFeePayment(payment_id=f"P{len(self.payments)}", paid_on=self.today, amount=amount)
        )

    @invariant()
    def every_fen_paid_is_principal_penalty_or_credit(self) -> None:
        if not self.bills:
            return
        assessment = self.assess()
        principal_paid = sum_money(
            bill.principal - fee.principal_outstanding
            for bill, fee in zip(self.bills, assessment.bills, strict=True)
        )
        penalty_paid = sum_money(fee.paid for fee in assessment.bills)
        paid = sum_money(payment.amount for payment in self.payments)
        assert principal_paid + penalty_paid + assessment.credit == paid
        assert assessment.credit >= Money.zero()
        for fee in assessment.bills:
            assert Money.zero() <= fee.outstanding
            assert fee.principal_outstanding >= Money.zero()


TestAccountLife = AccountLife.TestCase
