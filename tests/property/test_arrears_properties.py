"""The arrears register adds up: every grouping sums to the grand total, which is the book's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from powerretail.collections.allocation import ItemKind, OpenItem
from powerretail.collections.arrears import AccountArrears, arrears_register
from powerretail.quantities import Money, sum_money

AS_OF = date(2025, 6, 30)

items = st.builds(
    OpenItem,
    bill_id=st.sampled_from(["B1", "B2", "B3"]),
    kind=st.sampled_from(ItemKind),
    amount=st.decimals(Decimal("0.01"), Decimal("99999.99"), places=2).map(Money),
    dated=st.integers(-30, 400).map(lambda d: AS_OF - timedelta(days=d)),
)
accounts = st.builds(
    AccountArrears,
    account_id=st.sampled_from(["A1", "A2", "A3", "A4"]),
    customer_class=st.sampled_from(["居民", "一般工商业", "大工业"]),
    area=st.sampled_from(["T-01", "T-02"]),
    open_items=st.lists(items, max_size=6).map(tuple),
)


@given(st.lists(accounts, max_size=6))
def test_every_view_of_the_register_adds_up_to_what_the_book_owes(
    book: list[AccountArrears],
) -> None:
    register = arrears_register(book, as_of=AS_OF)
    owed = sum_money(i.amount for a in book for i in a.open_items)
    assert register.total == owed
    assert sum_money(register.by_bucket().values()) == owed
    for view in (register.by_account(), register.by_class(), register.by_area()):
        assert sum_money(m for row in view.values() for m in row.values()) == owed
