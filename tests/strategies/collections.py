"""Strategies for collections: bills, payments, open items and late-fee policies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from powerretail.collections.allocation import AllocationOrder, ItemKind, OpenItem
from powerretail.collections.late_fees import (
    CrossYearBoundary,
    CustomerKind,
    LateFeeBill,
    LateFeePayment,
)
from powerretail.quantities import Money

#: Positive amounts a bill or payment can hold [元], whole fen.
positive_money = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2, allow_nan=False
).map(Money)
#: Days a late fee can be computed on (both rule sets in force).
overdue_dates = st.dates(min_value=date(1997, 1, 1), max_value=date(2040, 12, 31))
customer_kinds = st.sampled_from(CustomerKind)
boundaries = st.sampled_from(CrossYearBoundary)
orders = st.sampled_from(AllocationOrder)
item_kinds = st.sampled_from(ItemKind)


@st.composite
def open_items(draw: st.DrawFn, max_size: int = 8) -> tuple[OpenItem, ...]:
    """Draw open items with distinct (bill, kind) keys."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["B1", "B2", "B3", "B4", "B5"]), item_kinds),
            unique=True,
            max_size=max_size,
        )
    )
    return tuple(
        OpenItem(
            bill_id=bill_id,
            kind=kind,
            amount=draw(positive_money),
            dated=draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))),
        )
        for bill_id, kind in keys
    )


@st.composite
def accounts(
    draw: st.DrawFn,
) -> tuple[tuple[LateFeeBill, ...], tuple[LateFeePayment, ...], date]:
    """Draw a few bills, a few payments between them and a day to assess through."""
    start = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)))
    bills = tuple(
        LateFeeBill(
            bill_id=f"B{index}",
            principal=draw(positive_money),
            customer_kind=draw(customer_kinds),
            due_date=start + timedelta(days=draw(st.integers(0, 90))),
        )
        for index in range(draw(st.integers(1, 4)))
    )
    payments = tuple(
        LateFeePayment(
            payment_id=f"P{index}",
            paid_on=start + timedelta(days=draw(st.integers(0, 200))),
            amount=draw(positive_money),
        )
        for index in range(draw(st.integers(0, 4)))
    )
    through = start + timedelta(days=draw(st.integers(200, 400)))
    return bills, payments, through
