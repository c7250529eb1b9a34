"""The whole-bill cross-year strategy never charges less than the split by year, and the same
when the bill is paid within its year."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from powerretail.collections.late_fees import (
    CrossYearRate,
    CustomerKind,
    LateFeePolicy,
    late_fee,
)
from powerretail.quantities import Money

WHOLE_BILL = LateFeePolicy(cross_year_rate=CrossYearRate.WHOLE_BILL)


@given(
    principal=st.integers(1, 10**8),
    due=st.dates(date(2024, 10, 1), date(2025, 12, 31)),
    late=st.integers(1, 200),
)
def test_whole_bill_is_never_less_and_equal_within_the_year(
    principal: int, due: date, late: int
) -> None:
    amount = Money(f"{principal // 100}.{principal % 100:02d}")
    paid = due + timedelta(days=late)
    kind = CustomerKind.NON_RESIDENTIAL
    by_year = late_fee(amount, due_date=due, paid_on=paid, customer_kind=kind)
    whole = late_fee(amount, due_date=due, paid_on=paid, customer_kind=kind, policy=WHOLE_BILL)

    assert whole.amount >= by_year.amount
    if paid.year == (due + timedelta(days=1)).year:
        assert whole.amount == by_year.amount
