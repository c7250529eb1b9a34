"""Receipt books (电费票据): numbered forms issued to a collector, used once each, voids kept.

A :class:`ReceiptBook` is a range of numbers issued to one collector. Each form has three parts
(:class:`ReceiptPart`: the customer's 报销联, the bookkeeping 记账联 and the stub 存根). Numbers
are used strictly in order, each once: the next receipt always takes the next number, and a
number is never skipped — a spoiled or cancelled form is voided (marked 废票) and kept, with who
voided it and why. So a book's used numbers are always ``first .. first + used − 1`` with no gap,
and every number is either a receipt or a void.

Each month the bookkeeping parts are bound into a bundle whose cover (:class:`BundleCover`) gives
the collection dates, the number range, the count of forms, the voids (count and numbers) and
the energy and amount they record. A collector gets a new book only once the old one is
returned: its bookkeeping parts and stubs (and any blank forms) handed to finance —
:meth:`ReceiptBook.returned` refuses a return that misses any number, naming them.

Source: 供电所农电营销工作管理制度 三、电费票据管理制度 2、4、5 (票据视为现金管理; 一式三联;
记账联含废票按月装订成册, 封面注明收费日期、起止号码、票据张数、废票张数和号码、电量电费;
领用新票据须交回旧票据记账联及存根).

>>> from datetime import date
>>> book = ReceiptBook.issue(book_id="RB-1", collector="c-1", first=1001, last=1003,
...                          issued_on=date(2025, 8, 1))
>>> book, n = book.receipt(account_id="A-1", amount=Money("88.00"), energy=Energy("160"),
...                        payment_id="P-1", on=date(2025, 8, 2))
>>> book = book.void(1002, by="c-1", why="spoiled: wrong name", on=date(2025, 8, 2))
>>> book, m = book.receipt(account_id="A-2", amount=Money("12.30"), energy=Energy("20"),
...                        payment_id="P-2", on=date(2025, 8, 3))
>>> (n, m, book.next_number)
(1001, 1003, None)
>>> cover = book.cover(2025, 8)
>>> (cover.first_number, cover.last_number, cover.count, cover.voids, str(cover.amount.amount))
(1001, 1003, 3, (1002,), '100.30')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs

from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.quantities import Energy, Money, sum_money

__all__ = [
    "RECEIPT_SOURCE",
    "VOID_RECEIPT",
    "BookNotReturned",
    "BookState",
    "BundleCover",
    "Receipt",
    "ReceiptBook",
    "ReceiptPart",
    "ReceiptRefused",
    "StubsMissing",
    "number_ranges",
]

#: Where the receipt-book rules come from.
RECEIPT_SOURCE: Final = "供电所农电营销工作管理制度 三、电费票据管理制度"
#: Void a receipt form (mark it 废票). A permission: the forms are managed as cash (票据视为现金
#: 管理, 电费票据管理制度 1), so voiding one is granted by the company's policy, and audited.
VOID_RECEIPT: Final = "void_receipt"


class ReceiptPart(enum.Enum):
    """The three parts of a receipt form (一式三联)."""

    CUSTOMER = "customer"  # 报销联, handed to the customer
    BOOKKEEPING = "bookkeeping"  # 记账联, bound monthly
    STUB = "stub"  # 存根, returned to finance


class BookState(enum.Enum):
    """Whether a book is with its collector or returned to finance."""

    ISSUED = "issued"
    RETURNED = "returned"


class ReceiptRefused(RuleViolation):
    """A receipt-book operation the rules do not allow: ``reason`` says which and why."""

    def __init__(self, book_id: str, reason: str) -> None:
        self.book_id = book_id
        self.reason = reason
        super().__init__(book_id, reason)

    def __str__(self) -> str:
        return f"receipt book {describe_value(self.book_id)}: {self.reason}"


class StubsMissing(RuleViolation):
    """A book returned without the stubs (or blank forms) of some of its numbers."""

    def __init__(self, book_id: str, missing: tuple[int, ...]) -> None:
        self.book_id = book_id
        self.missing = missing
        super().__init__(book_id, missing)

    def __str__(self) -> str:
        return (
            f"receipt book {describe_value(self.book_id)} cannot be returned: numbers "
            f"{', '.join(str(n) for n in self.missing)} are missing; expected the bookkeeping "
            f"part and stub of every number used and every blank form ({RECEIPT_SOURCE} 5)"
        )


class BookNotReturned(RuleViolation):
    """A new book asked for while the collector still holds one not returned."""

    def __init__(self, collector: str, book_id: str) -> None:
        self.collector = collector
        self.book_id = book_id
        super().__init__(collector, book_id)

    def __str__(self) -> str:
        return (
            f"collector {describe_value(self.collector)} still holds receipt book "
            f"{describe_value(self.book_id)}; a new book is issued only against the returned "
            f"stubs of the old one ({RECEIPT_SOURCE} 5)"
        )


@attrs.frozen(kw_only=True)
class Receipt:
    """One form of a book: a receipt for a payment, or a void (废票) kept with its reason."""

    number: int
    on: date
    account_id: str = ""
    payment_id: str = ""
    amount: Money = attrs.field(factory=Money.zero)
    energy: Energy = attrs.field(factory=lambda: Energy("0"))
    voided: bool = False
    voided_by: str = ""
    void_reason: str = ""

    @property
    def mark(self) -> str:
        """What the face of the form says: ``废票`` for a void, else ``""``."""
        return "废票" if self.voided else ""


@attrs.frozen(kw_only=True)
class BundleCover:
    """The cover of a month's bundle of bookkeeping parts (记账联封面)."""

    book_id: str
    collector: str
    first_day: date
    last_day: date
    first_number: int
    last_number: int
    count: int
    voids: tuple[int, ...]
    energy: Energy
    amount: Money

    @property
    def void_count(self) -> int:
        """How many of the forms are voids."""
        return len(self.voids)


def number_ranges(numbers: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Return ``numbers`` as sorted runs ``(first, last)``.

    >>> number_ranges([5, 1, 2, 3, 7])
    ((1, 3), (5, 5), (7, 7))
    """
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return tuple(runs)


@attrs.frozen(kw_only=True)
class ReceiptBook:
    """A range of receipt numbers issued to ``collector``, and the forms used so far.

    ``receipts`` holds the used forms in number order, from ``first`` with no gap.
    """

    book_id: str
    collector: str
    first: int
    last: int
    issued_on: date
    state: BookState = BookState.ISSUED
    receipts: tuple[Receipt, ...] = ()
    returned_on: date | None = None
    returned_to: str = ""

    @classmethod
    def issue(
        cls, *, book_id: str, collector: str, first: int, last: int, issued_on: date
    ) -> ReceiptBook:
        """Return a new book of numbers ``first .. last`` for ``collector``.

        Raises:
            InvalidInput: the range is empty or starts below 1, or an id is blank.
        """
        if not book_id or not collector:
            raise InvalidInput("book_id/collector", (book_id, collector), "non-empty ids")
        if not (isinstance(first, int) and isinstance(last, int)) or first < 1 or last < first:
            raise InvalidInput("first..last", f"{first}..{last}", "a range 1 <= first <= last")
        return cls(
            book_id=book_id, collector=collector, first=first, last=last, issued_on=issued_on
        )

    @property
    def next_number(self) -> int | None:
        """The number the next form takes (``None``: the book is used up)."""
        following = self.first + len(self.receipts)
        return following if following <= self.last else None

    def overlaps(self, other: ReceiptBook) -> bool:
        """Whether this book's numbers meet ``other``'s (numbers are never issued twice)."""
        return self.first <= other.last and other.first <= self.last

    def _open(self, what: str) -> int:
        if self.state is not BookState.ISSUED:
            raise ReceiptRefused(self.book_id, f"it was returned; cannot {what}")
        number = self.next_number
        if number is None:
            raise ReceiptRefused(self.book_id, f"every number up to {self.last} is used")
        return number

    def receipt(
        self, *, account_id: str, amount: Money, energy: Energy, payment_id: str, on: date
    ) -> tuple[ReceiptBook, int]:
        """Return the book with the next number used for a receipt of ``amount``, and the number.

        Raises:
            ReceiptRefused: the book is returned or used up.
            InvalidInput: ``amount`` is not above zero.
        """
        number = self._open("write a receipt")
        if not isinstance(amount, Money) or amount.amount <= 0:
            raise InvalidInput("amount", amount, "Money above zero")
        receipt = Receipt(
            number=number,
            on=on,
            account_id=account_id,
            payment_id=payment_id,
            amount=amount,
            energy=energy,
        )
        return attrs.evolve(self, receipts=(*self.receipts, receipt)), number

    def void(self, number: int, *, by: str, why: str, on: date) -> ReceiptBook:
        """Return the book with form ``number`` voided (废票): a used form, or the next blank.

        The void is kept; its amount no longer counts. A blank form voided uses its number.

        Raises:
            ReceiptRefused: the book is returned; ``number`` is not the next blank nor a used
                form, or is already void; ``why`` is blank.
        """
        if not why.strip():
            raise ReceiptRefused(self.book_id, f"voiding {number} needs a reason")
        if self.state is not BookState.ISSUED:
            raise ReceiptRefused(self.book_id, f"it was returned; cannot void {number}")
        next_number = self.next_number
        if number == next_number:
            blank = Receipt(number=number, on=on, voided=True, voided_by=by, void_reason=why)
            return attrs.evolve(self, receipts=(*self.receipts, blank))
        index = number - self.first
        if not 0 <= index < len(self.receipts):
            raise ReceiptRefused(
                self.book_id,
                f"{number} is neither used nor the next blank form "
                f"({next_number or 'none left'}); numbers are used in order",
            )
        if self.receipts[index].voided:
            raise ReceiptRefused(self.book_id, f"{number} is already void")
        voided = attrs.evolve(self.receipts[index], voided=True, voided_by=by, void_reason=why)
        receipts = (*self.receipts[:index], voided, *self.receipts[index + 1 :])
        return attrs.evolve(self, receipts=receipts)

    def number_of(self, payment_id: str) -> int | None:
        """Return the number of the live (not void) receipt of ``payment_id``, or ``None``."""
        return next(
            (r.number for r in self.receipts if r.payment_id == payment_id and not r.voided), None
        )

    def cover(self, year: int, month: int) -> BundleCover | None:
        """Return the cover of the month's bundle (forms dated in it), or ``None`` if none."""
        forms = [r for r in self.receipts if (r.on.year, r.on.month) == (year, month)]
        if not forms:
            return None
        live = [r for r in forms if not r.voided]
        return BundleCover(
            book_id=self.book_id,
            collector=self.collector,
            first_day=min(r.on for r in forms),
            last_day=max(r.on for r in forms),
            first_number=forms[0].number,
            last_number=forms[-1].number,
            count=len(forms),
            voids=tuple(r.number for r in forms if r.voided),
            energy=Energy(sum((r.energy.kwh for r in live), Energy("0").kwh)),
            amount=sum_money((r.amount for r in live), "CNY"),
        )

    def returned(self, numbers: Iterable[int], *, to: str, on: date) -> ReceiptBook:
        """Return the book as handed back with the forms ``numbers`` (stubs and blanks).

        Raises:
            StubsMissing: a number of the book is not among ``numbers`` (each one named).
            ReceiptRefused: the book was returned already, or ``numbers`` holds others.
        """
        if self.state is BookState.RETURNED:
            raise ReceiptRefused(self.book_id, "it was returned already")
        given = set(numbers)
        strangers = sorted(n for n in given if not self.first <= n <= self.last)
        if strangers:
            raise ReceiptRefused(
                self.book_id,
                f"numbers {', '.join(map(str, strangers))} are not of this book "
                f"({self.first}..{self.last})",
            )
        missing = tuple(n for n in range(self.first, self.last + 1) if n not in given)
        if missing:
            raise StubsMissing(self.book_id, missing)
        return attrs.evolve(self, state=BookState.RETURNED, returned_on=on, returned_to=to)
