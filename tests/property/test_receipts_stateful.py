"""Receipt numbers are never reused nor skipped without a void record, whatever is done.

A book moves through receipts, voids (of used forms and of blanks), refused operations and a
return; a stored copy is saved at each step through the store's change rule. After every step
the used forms are exactly ``first .. first + used − 1``, each number once, every voided
number kept with who and why, and the stored book equal to the model.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from powerretail.adapters.memory import MemoryStore
from powerretail.collections.receipts import (
    BookState,
    ReceiptBook,
    ReceiptRefused,
    StubsMissing,
)
from powerretail.quantities import Energy, Money
from powerretail.repositories.receipts import RECEIPT_BOOKS

DAY = date(2025, 8, 1)
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999"), places=2, allow_nan=False
).map(Money)


class ReceiptBookLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()
        self.book = ReceiptBook.issue(
            book_id="RB-1", collector="c-1", first=501, last=512, issued_on=DAY
        )
        self.voided: set[int] = set()
        self.payments = 0
        with self.store.unit_of_work() as uow:
            uow.repository(RECEIPT_BOOKS).add(self.book)
            uow.commit()

    def save(self, book: ReceiptBook) -> None:
        with self.store.unit_of_work() as uow:
            books = uow.repository(RECEIPT_BOOKS)
            _, version = books.get("RB-1")
            books.save(book, version)
            uow.commit()
        self.book = book

    @rule(amount=amounts)
    def write_a_receipt(self, amount: Money) -> None:
        try:
            book, number = self.book.receipt(
                account_id="A-1",
                amount=amount,
                energy=Energy("10"),
                payment_id=f"P-{self.payments}",
                on=DAY,
            )
        except ReceiptRefused:
            assert self.book.next_number is None or self.book.state is BookState.RETURNED
            return
        self.payments += 1
        assert number == self.book.next_number
        self.save(book)

    @rule(offset=st.integers(-2, 14))
    def void_a_number(self, offset: int) -> None:
        number = self.book.first + offset
        try:
            book = self.book.void(number, by="o-1", why="spoiled", on=DAY)
        except ReceiptRefused:
            used = len(self.book.receipts)
            assert (
                self.book.state is BookState.RETURNED
                or number in self.voided
                or not 0 <= offset <= used
                or (offset == used and self.book.next_number is None)
            )
            return
        self.voided.add(number)
        self.save(book)

    @rule(drop=st.sets(st.integers(501, 512), max_size=2))
    @precondition(lambda self: self.book.state is BookState.ISSUED)
    def return_the_book(self, drop: set[int]) -> None:
        numbers = set(range(501, 513)) - drop
        if drop:
            with pytest.raises(StubsMissing) as missing:
                self.book.returned(numbers, to="finance", on=DAY)
            assert set(missing.value.missing) == drop
            return
        self.save(self.book.returned(numbers, to="finance", on=DAY))

    @invariant()
    def numbers_run_from_first_with_no_gap_and_voids_are_kept(self) -> None:
        numbers = [r.number for r in self.book.receipts]
        assert numbers == list(range(self.book.first, self.book.first + len(numbers)))
        assert {r.number for r in self.book.receipts if r.voided} == self.voided
        assert all(r.voided_by and r.void_reason for r in self.book.receipts if r.voided)
        live = [r.payment_id for r in self.book.receipts if not r.voided]
        assert len(live) == len(set(live))

    @invariant()
    def the_stored_book_is_the_model(self) -> None:
        with self.store.unit_of_work() as uow:
            assert uow.repository(RECEIPT_BOOKS).get("RB-1").entity == self.book


ReceiptBookLife.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestReceiptBookLife = ReceiptBookLife.TestCase
