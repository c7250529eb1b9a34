"""Allocating payments conserves every fen (RELIABILITY R3, R10)."""

from __future__ import annotations

from datetime import date
from itertools import starmap

from hypothesis import given
from hypothesis import strategies as st

from powerretail.collections.allocation import (
    AllocationOrder,
    ItemKind,
    OpenItem,
    allocate_payment,
)
from powerretail.collections.late_fees import (
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    assess_late_fees,
)
from powerretail.quantities import Money, sum_money
from tests.strategies.collections import accounts, open_items, orders, positive_money


@given(payment=positive_money, items=open_items(), order=orders)
def test_the_parts_and_the_credit_add_up_to_the_payment(
    payment: Money, items: tuple[OpenItem, ...], order: AllocationOrder
) -> None:
    result = allocate_payment(payment, items, order)

    assert result.applied + result.credit == payment
    assert result.credit.amount >= 0
    owed = {(item.bill_id, item.kind): item.amount for item in items}
    for part in result.allocations:
        assert Money.zero() < part.amount <= owed[part.bill_id, part.kind]
    if not result.credit.is_zero():
        assert all(part.settles_item for part in result.allocations)
        assert len(result.allocations) == len(items)


@given(payment=positive_money, items=open_items(), order=orders, data=st.data())
def test_the_order_items_are_listed_in_does_not_matter(
    payment: Money, items: tuple[OpenItem, ...], order: AllocationOrder, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(items))

    assert allocate_payment(payment, items, order) == allocate_payment(payment, shuffled, order)


@given(account=accounts(), order=orders)
def test_every_fen_paid_is_principal_penalty_or_credit(
    account: tuple[tuple[LateFeeBill, ...], tuple[LateFeePayment, ...], date],
    order: AllocationOrder,
) -> None:
    bills, payments, through = account

    assessment = assess_late_fees(
        bills, payments, through=through, policy=LateFeePolicy(allocation=order)
    )

    paid = sum_money(payment.amount for payment in payments)
    principal_paid = sum_money(
        starmap(
            lambda bill, fee: bill.principal - fee.principal_outstanding,
            zip(bills, assessment.bills, strict=True),
        )
    )
    penalty_paid = sum_money(fee.paid for fee in assessment.bills)
    assert principal_paid + penalty_paid + assessment.credit == paid
    for fee in assessment.bills:
        assert Money.zero() <= fee.paid <= fee.amount
        assert fee.principal_outstanding.amount >= 0
        assert (
            sum_money(a.applied_to(fee.bill_id, ItemKind.LATE_FEE) for a in assessment.allocations)
            == fee.paid
        )
