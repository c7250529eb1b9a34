"""Ports of collections: payments, and each account's receivable (open items and credit).

A :class:`Receivable` is what an account owes, item by item (:class:`OpenItem` s of
:mod:`powerretail.collections.allocation`: bill principals and late fees), with the account
credit left by overpayments and the running totals the reconciliation needs (RELIABILITY R20)::

    issued − credited − paid − written off = open items − account credit

Every change is a pure method returning a new receivable; each keeps that equation, keeps every
open item above zero and the credit at zero or more (R10). A :class:`Payment` records a posted
payment with its allocation.

>>> from datetime import date
>>> owed = Receivable.open(account_id="A-1", customer_id="C-1")
>>> owed = owed.charge("B-1", Money("120.00"), dated=date(2025, 8, 16))
>>> owed, allocation = owed.receive(Money("150.00"), paid_on=date(2025, 8, 20))
>>> str(owed.balance), str(owed.credit), owed.reconciles
('-30.00 CNY', '30.00 CNY', True)
"""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

import attrs

from powerretail.collections.allocation import (
    Allocation,
    AllocationOrder,
    ItemKind,
    OpenItem,
    PaymentAllocation,
    allocate_payment,
)
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import AccountId, CustomerId, PaymentId
from powerretail.quantities import Money, sum_money
from powerretail.repositories.aggregates import Aggregate, AggregateRepository, never_changes

__all__ = [
    "PAYMENTS",
    "RECEIVABLES",
    "NothingToWriteOff",
    "Payment",
    "PaymentRepository",
    "Receivable",
    "ReceivableRepository",
]


class NothingToWriteOff(RuleViolation):
    """A write-off larger than what the bill still owes."""

    def __init__(self, bill_id: str, asked: Money, owed: Money) -> None:
        self.bill_id = bill_id
        self.asked = asked
        self.owed = owed
        super().__init__(bill_id, asked, owed)

    def __str__(self) -> str:
        return f"bill {self.bill_id!r} owes {self.owed}; cannot write off {self.asked}"


def _positive(field: str, amount: Money) -> None:
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidInput(field, str(amount), "Money above zero")


@attrs.frozen(kw_only=True)
class Receivable:
    """What one account owes: open items, account credit, deposit and running totals.

    Attributes:
        account_id: the account (the key); the debt stays with it when its customer moves out.
        customer_id: who incurred it (indexed).
        open_items: unpaid principals and late fees, each above zero.
        credit: account credit from overpayments and credit notes (never negative, R10).
        deposit: the security deposit held (not part of what is owed).
        issued: every charge ever made (bills, rebills, late fees).
        credited: every credit note's amount.
        paid: every payment received.
        written_off: every amount written off.
    """

    account_id: AccountId
    customer_id: CustomerId
    open_items: tuple[OpenItem, ...] = ()
    credit: Money
    deposit: Money
    issued: Money
    credited: Money
    paid: Money
    written_off: Money

    @classmethod
    def open(
        cls,
        *,
        account_id: str,
        customer_id: str,
        deposit: Money | None = None,
        currency: str = "CNY",
    ) -> Receivable:
        """Return the empty receivable of a new account, holding ``deposit`` if given."""
        zero = Money.zero(currency)
        return cls(
            account_id=AccountId(account_id),
            customer_id=CustomerId(customer_id),
            credit=zero,
            deposit=deposit if deposit is not None else zero,
            issued=zero,
            credited=zero,
            paid=zero,
            written_off=zero,
        )

    @property
    def owed(self) -> Money:
        """The sum of the open items."""
        return sum_money((item.amount for item in self.open_items), self.credit.currency)

    @property
    def balance(self) -> Money:
        """Open items minus account credit: what the account owes (negative: in credit)."""
        return self.owed - self.credit

    @property
    def reconciles(self) -> bool:
        """Whether issued − credited − paid − written off equals the balance (R20)."""
        return self.issued - self.credited - self.paid - self.written_off == self.balance

    def item(self, bill_id: str, kind: ItemKind = ItemKind.PRINCIPAL) -> OpenItem | None:
        """Return the open item of ``bill_id`` of ``kind``, or ``None`` (settled or unknown)."""
        return next((i for i in self.open_items if i.bill_id == bill_id and i.kind is kind), None)

    def _with_item(self, bill_id: str, kind: ItemKind, amount: Money, dated: date) -> Receivable:
        items = [i for i in self.open_items if not (i.bill_id == bill_id and i.kind is kind)]
        current = self.item(bill_id, kind)
        total = amount if current is None else current.amount + amount
        if total.amount > 0:
            when = dated if current is None else current.dated
            items.append(OpenItem(bill_id=bill_id, kind=kind, amount=total, dated=when))
        return attrs.evolve(self, open_items=tuple(items))

    def charge(
        self,
        bill_id: str,
        amount: Money,
        *,
        dated: date,
        kind: ItemKind = ItemKind.PRINCIPAL,
    ) -> Receivable:
        """Return the receivable with ``amount`` charged for ``bill_id`` (due ``dated``).

        Account credit is applied to the new item first. A zero charge changes nothing.

        Raises:
            InvalidInput: a negative amount (a credit is a credit note).
        """
        if amount.amount < 0:
            raise InvalidInput("amount", str(amount), "a charge of zero or more")
        if amount.is_zero():
            return self
        applied = min(self.credit, amount)
        charged = attrs.evolve(self, issued=self.issued + amount, credit=self.credit - applied)
        return charged._with_item(bill_id, kind, amount - applied, dated)

    def credit_note(self, bill_id: str, amount: Money) -> Receivable:
        """Return the receivable with a credit note of ``amount`` against ``bill_id``.

        The credit settles what the bill still owes; the rest becomes account credit.

        Raises:
            InvalidInput: ``amount`` is not above zero.
        """
        _positive("amount", amount)
        current = self.item(bill_id)
        reduced = (
            min(amount, current.amount) if current is not None else Money.zero(amount.currency)
        )
        changed = attrs.evolve(
            self, credited=self.credited + amount, credit=self.credit + (amount - reduced)
        )
        if current is None:
            return changed
        return changed._with_item(bill_id, ItemKind.PRINCIPAL, -reduced, current.dated)

    def receive(
        self,
        payment: Money,
        *,
        paid_on: date,
        order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST,
    ) -> tuple[Receivable, PaymentAllocation]:
        """Return the receivable after ``payment`` and how it was allocated (oldest first).

        What no open item takes becomes account credit (R10).

        Raises:
            InvalidInput: a payment not above zero or in another currency.
        """
        del paid_on  # the date is kept on the Payment; allocation is by the items' dates
        allocation = allocate_payment(payment, self.open_items, order)
        changed = attrs.evolve(
            self, paid=self.paid + payment, credit=self.credit + allocation.credit
        )
        for part in allocation.allocations:
            item = changed.item(part.bill_id, part.kind)
            assert item is not None  # allocate_payment only allocates to given items
            changed = changed._with_item(part.bill_id, part.kind, -part.amount, item.dated)
        return changed, allocation

    def write_off(self, bill_id: str, amount: Money) -> Receivable:
        """Return the receivable with ``amount`` of ``bill_id``'s principal written off.

        Raises:
            InvalidInput: ``amount`` is not above zero.
            NothingToWriteOff: the bill owes less than ``amount``.
        """
        _positive("amount", amount)
        current = self.item(bill_id)
        if current is None or current.amount < amount:
            owed = current.amount if current is not None else Money.zero(amount.currency)
            raise NothingToWriteOff(bill_id, amount, owed)
        changed = attrs.evolve(self, written_off=self.written_off + amount)
        return changed._with_item(bill_id, ItemKind.PRINCIPAL, -amount, current.dated)


@attrs.frozen(kw_only=True)
class Payment:
    """A posted payment: who paid how much on which day, and how it was allocated.

    Attributes:
        payment_id: the key (the gateway's transaction id, say).
        account_id: the account credited (indexed).
        amount: the payment.
        received_on: the day it was paid (late fees accrue through it).
        order: the allocation policy used.
        allocations: the parts applied to open items, oldest first.
        credit: what was left over as account credit.
    """

    payment_id: PaymentId
    account_id: AccountId
    amount: Money
    received_on: date
    order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST
    allocations: tuple[Allocation, ...] = ()
    credit: Money


#: Payments, keyed by payment id, found by account; a posted payment never changes.
PAYMENTS: Aggregate[PaymentId, Payment] = Aggregate(
    kind="payment",
    entity_type=Payment,
    key_field="payment_id",
    indexed=("account_id",),
    changes=never_changes("posted"),
)
#: Receivables, keyed by account id, found by customer.
RECEIVABLES: Aggregate[AccountId, Receivable] = Aggregate(
    kind="receivable", entity_type=Receivable, key_field="account_id", indexed=("customer_id",)
)

PaymentRepository: TypeAlias = AggregateRepository[PaymentId, Payment]
ReceivableRepository: TypeAlias = AggregateRepository[AccountId, Receivable]
