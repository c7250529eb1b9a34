"""Allocate a payment over an account's open items (bill principals and late fees), every fen kept.

A payment is applied to open items one after the other in the order an :class:`AllocationOrder`
gives, oldest first; whatever is left after every item is settled becomes account credit
(RELIABILITY R10). The parts applied plus the credit always equal the payment (R3), and the result
does not depend on the order the items are listed in (ties are broken by date, then bill id, then
kind).

>>> from datetime import date
>>> items = (
...     OpenItem(bill_id="B-2", kind=ItemKind.PRINCIPAL, amount=Money("80.00"),
...              dated=date(2025, 2, 20)),
...     OpenItem(bill_id="B-1", kind=ItemKind.LATE_FEE, amount=Money("3.00"),
...              dated=date(2025, 1, 20)),
...     OpenItem(bill_id="B-1", kind=ItemKind.PRINCIPAL, amount=Money("50.00"),
...              dated=date(2025, 1, 20)),
... )
>>> for part in allocate_payment(Money("100.00"), items).allocations:
...     print(part.bill_id, part.kind.value, part.amount)
B-1 principal 50.00 CNY
B-2 principal 50.00 CNY
>>> overpaid = allocate_payment(Money("200.00"), items)
>>> for part in overpaid.allocations:
...     print(part.bill_id, part.kind.value, part.amount)
B-1 principal 50.00 CNY
B-2 principal 80.00 CNY
B-1 late_fee 3.00 CNY
>>> overpaid.credit
Money(amount=Decimal('67.00'), currency='CNY')

Source: no national rule fixes the order (``[uncertain]``), so it is a policy; the
default is "oldest principal first, penalty last".
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date

import attrs

from powerretail.errors import InvalidInput
from powerretail.quantities import Money, sum_money
from powerretail.timeframe import as_date

__all__ = [
    "ALLOCATION_SOURCE",
    "Allocation",
    "AllocationOrder",
    "ItemKind",
    "OpenItem",
    "PaymentAllocation",
    "allocate_payment",
]

#: Where the allocation policy comes from.
ALLOCATION_SOURCE = "company policy (no national rule fixes the order [uncertain])"


class ItemKind(enum.Enum):
    """What an open item is: a bill's unpaid principal or its unpaid late fee (电费违约金)."""

    PRINCIPAL = "principal"
    LATE_FEE = "late_fee"


class AllocationOrder(enum.Enum):
    """The order in which a payment settles open items; within each group, oldest first.

    * ``PRINCIPAL_FIRST`` — every bill's principal, oldest first, then the late fees, oldest
      first ("oldest principal first, penalty last"; the default).
    * ``PENALTY_FIRST`` — every late fee, oldest first, then the principals, oldest first.
    * ``BILL_BY_BILL`` — bill by bill, oldest first; within a bill the late fee, then the principal.
    """

    PRINCIPAL_FIRST = "principal_first"
    PENALTY_FIRST = "penalty_first"
    BILL_BY_BILL = "bill_by_bill"


def _positive_money(_instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money):
        raise InvalidInput(attribute.name, value, "Money")
    if value.amount <= 0:
        raise InvalidInput(attribute.name, str(value), "an amount above zero")


def _bill_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("bill_id", value, "a non-blank bill id")
    return value.strip()


def _dated(value: object) -> date:
    return as_date(value, "dated")


@attrs.frozen(kw_only=True)
class OpenItem:
    """An amount an account still owes: ``bill_id``'s principal or late fee, dated for its age.

    ``dated`` orders items oldest first (use the bill's due date, or its issue date, consistently).
    """

    bill_id: str = attrs.field(converter=_bill_id)
    kind: ItemKind = attrs.field(validator=attrs.validators.instance_of(ItemKind))
    amount: Money = attrs.field(validator=_positive_money)
    dated: date = attrs.field(converter=_dated)


@attrs.frozen(kw_only=True)
class Allocation:
    """The part of a payment applied to one open item."""

    bill_id: str
    kind: ItemKind
    amount: Money
    settles_item: bool


@attrs.frozen(kw_only=True)
class PaymentAllocation:
    """How a payment was applied: the parts, in order, and the credit left over (R10)."""

    payment: Money
    order: AllocationOrder
    allocations: tuple[Allocation, ...]
    credit: Money

    @property
    def applied(self) -> Money:
        """The part of the payment applied to open items."""
        return sum_money((a.amount for a in self.allocations), self.payment.currency)

    def applied_to(self, bill_id: str, kind: ItemKind) -> Money:
        """Return how much went to ``bill_id``'s item of ``kind`` (zero if nothing)."""
        return sum_money(
            (a.amount for a in self.allocations if a.bill_id == bill_id and a.kind is kind),
            self.payment.currency,
        )


_KIND_RANK_PRINCIPAL_FIRST = {ItemKind.PRINCIPAL: 0, ItemKind.LATE_FEE: 1}
_KIND_RANK_PENALTY_FIRST = {ItemKind.LATE_FEE: 0, ItemKind.PRINCIPAL: 1}


def _sort_key(item: OpenItem, order: AllocationOrder) -> tuple[int, date, str, int]:
    if order is AllocationOrder.PRINCIPAL_FIRST:
        return (_KIND_RANK_PRINCIPAL_FIRST[item.kind], item.dated, item.bill_id, 0)
    if order is AllocationOrder.PENALTY_FIRST:
        return (_KIND_RANK_PENALTY_FIRST[item.kind], item.dated, item.bill_id, 0)
    return (0, item.dated, item.bill_id, _KIND_RANK_PENALTY_FIRST[item.kind])


def allocate_payment(
    payment: Money,
    items: Sequence[OpenItem],
    order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST,
) -> PaymentAllocation:
    """Apply ``payment`` to ``items`` in ``order``; return the parts and the credit left over.

    Each item takes as much as it still owes, until the payment runs out; no item is ever
    over-settled, and the parts plus the credit equal the payment exactly.

    Raises:
        InvalidInput: a payment that is not above zero, an item in another currency, or two
            items for the same bill and kind.

    Source: allocation order is a policy (no national rule), RELIABILITY R3 and R10.
    """
    if not isinstance(payment, Money) or payment.amount <= 0:
        raise InvalidInput("payment", str(payment), "an amount of Money above zero")
    seen: set[tuple[str, ItemKind]] = set()
    for index, item in enumerate(items):
        if item.amount.currency != payment.currency:
            raise InvalidInput(
                f"items[{index}].amount", str(item.amount), f"an amount in {payment.currency}"
            )
        key = (item.bill_id, item.kind)
        if key in seen:
            raise InvalidInput(
                f"items[{index}]",
                f"{item.bill_id}/{item.kind.value}",
                "at most one open item per bill and kind",
            )
        seen.add(key)
    left = payment
    parts: list[Allocation] = []
    for item in sorted(items, key=lambda i: _sort_key(i, order)):
        if left.is_zero():
            break
        applied = min(left, item.amount)
        parts.append(
            Allocation(
                bill_id=item.bill_id,
                kind=item.kind,
                amount=applied,
                settles_item=applied == item.amount,
            )
        )
        left = left - applied
    return PaymentAllocation(payment=payment, order=order, allocations=tuple(parts), credit=left)
