from __future__ import annotations

from datetime import date

import pytest

from powerretail.collections.allocation import (
    AllocationOrder,
    ItemKind,
    OpenItem,
    allocate_payment,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money


def an_item(bill_id: str, kind: ItemKind, amount: str, day: int) -> OpenItem:
    return OpenItem(bill_id=bill_id, kind=kind, amount=Money(amount), dated=date(2025, 1, day))


ITEMS = (
    an_item("B2", ItemKind.PRINCIPAL, "80.00", 20),
    an_item("B1", ItemKind.LATE_FEE, "3.00", 10),
    an_item("B1", ItemKind.PRINCIPAL, "50.00", 10),
    an_item("B2", ItemKind.LATE_FEE, "1.00", 20),
)


def settled(order: AllocationOrder, payment: str) -> list[tuple[str, str, str]]:
    result = allocate_payment(Money(payment), ITEMS, order)
    return [(a.bill_id, a.kind.value, str(a.amount.amount)) for a in result.allocations]


class TestAllocatePayment:
    def test_settles_the_oldest_principal_first_and_penalties_last_by_default(self) -> None:
        assert settled(AllocationOrder.PRINCIPAL_FIRST, "132.00") == [
            ("B1", "principal", "50.00"),
            ("B2", "principal", "80.00"),
            ("B1", "late_fee", "2.00"),
        ]

    def test_settles_every_penalty_before_any_principal_when_asked(self) -> None:
        assert settled(AllocationOrder.PENALTY_FIRST, "10.00") == [
            ("B1", "late_fee", "3.00"),
            ("B2", "late_fee", "1.00"),
            ("B1", "principal", "6.00"),
        ]

    def test_settles_bill_by_bill_with_the_penalty_before_the_principal(self) -> None:
        assert settled(AllocationOrder.BILL_BY_BILL, "60.00") == [
            ("B1", "late_fee", "3.00"),
            ("B1", "principal", "50.00"),
            ("B2", "late_fee", "1.00"),
            ("B2", "principal", "6.00"),
        ]

    def test_turns_an_overpayment_into_account_credit(self) -> None:
        result = allocate_payment(Money("200.00"), ITEMS)

        assert result.credit == Money("66.00")
        assert result.applied == Money("134.00")
        assert all(part.settles_item for part in result.allocations)

    def test_gives_everything_to_credit_when_nothing_is_open(self) -> None:
        result = allocate_payment(Money("5.00"), ())

        assert (result.allocations, result.credit) == ((), Money("5.00"))

    def test_reports_what_went_to_one_item(self) -> None:
        result = allocate_payment(Money("60.00"), ITEMS)

        assert result.applied_to("B2", ItemKind.PRINCIPAL) == Money("10.00")
        assert result.applied_to("B2", ItemKind.LATE_FEE) == Money.zero()

    def test_refuses_a_payment_that_is_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="payment"):
            allocate_payment(Money("0.00"), ITEMS)

    def test_refuses_two_items_for_the_same_bill_and_kind(self) -> None:
        with pytest.raises(InvalidInput, match="one open item per bill"):
            allocate_payment(Money("1.00"), (ITEMS[0], ITEMS[0]))

    def test_refuses_an_item_in_another_currency(self) -> None:
        item = OpenItem(
            bill_id="B9", kind=ItemKind.PRINCIPAL, amount=Money("1.00", "USD"), dated="2025-01-01"
        )

        with pytest.raises(InvalidInput, match="in CNY"):
            allocate_payment(Money("1.00"), (item,))


class TestOpenItem:
    def test_refuses_an_amount_that_is_not_above_zero(self) -> None:
        with pytest.raises(InvalidInput, match="amount"):
            an_item("B1", ItemKind.PRINCIPAL, "0.00", 1)

    def test_refuses_an_amount_that_is_not_money(self) -> None:
        with pytest.raises(InvalidInput, match="Money"):
            OpenItem(
                bill_id="B1",
                kind=ItemKind.PRINCIPAL,
                amount="1.00",  # type: ignore[arg-type]
                dated=date(2025, 1, 1),
            )

    def test_refuses_a_blank_bill_id(self) -> None:
        with pytest.raises(InvalidInput, match="bill_id"):
            an_item("  ", ItemKind.PRINCIPAL, "1.00", 1)
