"""Invariants of late fees: monotonic, additive over the window, zero when not late."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.collections.late_fees import (
    GYGZ2024,
    CrossYearBoundary,
    CustomerKind,
    LateFeePolicy,
    accrue,
    late_fee,
)
from powerretail.quantities import Money
from powerretail.timeframe import DateRange
from tests.strategies.collections import boundaries, customer_kinds, overdue_dates, positive_money


@given(
    principal=positive_money,
    due=overdue_dates,
    days=st.integers(0, 800),
    more=st.integers(0, 400),
    kind=customer_kinds,
    boundary=boundaries,
)
@example(
    principal=Money("10000.00"),
    due=date(2024, 12, 20),
    days=11,
    more=1,
    kind=CustomerKind.NON_RESIDENTIAL,
    boundary=CrossYearBoundary.OVERDUE_YEAR,
)
def test_a_later_payment_never_costs_less(
    *,
    principal: Money,
    due: date,
    days: int,
    more: int,
    kind: CustomerKind,
    boundary: CrossYearBoundary,
) -> None:
    policy = LateFeePolicy(boundary=boundary)

    def fee(paid_on: date) -> Money:
        return late_fee(
            principal, due_date=due, paid_on=paid_on, customer_kind=kind, policy=policy
        ).amount

    assert fee(due + timedelta(days=days)) <= fee(due + timedelta(days=days + more))


@given(
    smaller=positive_money,
    extra=positive_money,
    due=overdue_dates,
    days=st.integers(0, 800),
    kind=customer_kinds,
)
def test_a_larger_principal_never_costs_less(
    smaller: Money, extra: Money, due: date, days: int, kind: CustomerKind
) -> None:
    paid_on = due + timedelta(days=days)

    def fee(principal: Money) -> Money:
        return late_fee(principal, due_date=due, paid_on=paid_on, customer_kind=kind).amount

    assert fee(smaller) <= fee(smaller + extra)


@given(
    principal=positive_money,
    first=overdue_dates,
    cut=st.integers(1, 799),
    length=st.integers(2, 800),
    kind=customer_kinds,
    boundary=boundaries,
)
@example(
    principal=Money("10000.00"),
    first=date(2024, 12, 21),
    cut=11,
    length=21,
    kind=CustomerKind.NON_RESIDENTIAL,
    boundary=CrossYearBoundary.OVERDUE_YEAR,
)
def test_splitting_the_window_at_any_day_keeps_the_unrounded_total(
    *,
    principal: Money,
    first: date,
    cut: int,
    length: int,
    kind: CustomerKind,
    boundary: CrossYearBoundary,
) -> None:
    cut = min(cut, length - 1)
    middle, end = first + timedelta(days=cut), first + timedelta(days=length)

    def total(days: DateRange) -> Decimal:
        parts = accrue(
            principal,
            days,
            first_overdue_day=first,
            customer_kind=kind,
            rule_set=GYGZ2024,
            boundary=boundary,
        )
        return sum((part.amount for part in parts), Decimal(0))

    whole = total(DateRange(first, end))
    assert whole == total(DateRange(first, middle)) + total(DateRange(middle, end))


@given(principal=positive_money, due=overdue_dates, early=st.integers(0, 400), kind=customer_kinds)
def test_no_overdue_day_means_no_late_fee(
    principal: Money, due: date, early: int, kind: CustomerKind
) -> None:
    fee = late_fee(principal, due_date=due, paid_on=due - timedelta(days=early), customer_kind=kind)

    assert fee.amount == Money.zero()
    assert not fee.floor_applied
