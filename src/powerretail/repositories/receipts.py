"""Ports of receipt books and cash: books, hand-over lists, cash movements, published lists.

A stored :class:`~powerretail.collections.receipts.ReceiptBook` changes only as the rules let
it (:func:`book_change`, asked by every store before a save): forms are appended, a form may be
voided (and stays), the book may be returned once; no number, amount or range ever changes and
a returned book never changes again. Hand-over lists, cash movements and published receivable
lists never change once stored.
"""

from __future__ import annotations

from typing import Any

from powerretail.collections.cash import CashMovement, HandOver, PublishedList
from powerretail.collections.receipts import BookState, ReceiptBook
from powerretail.repositories.aggregates import (
    Aggregate,
    ChangeRefusal,
    changed_fields,
    never_changes,
)

__all__ = [
    "CASH_MOVEMENTS",
    "HANDOVERS",
    "PUBLISHED_LISTS",
    "RECEIPT_BOOKS",
    "book_change",
]

_VOID_FIELDS = ("voided", "voided_by", "void_reason")


def book_change(stored: Any, new: Any) -> ChangeRefusal | None:
    """Refuse a save of receipt book ``stored`` as ``new`` unless the rules allow it.

    Allowed: forms appended; a live form voided; the book returned (state, day, to whom).

    >>> from datetime import date
    >>> import attrs
    >>> from powerretail.quantities import Energy, Money
    >>> book = ReceiptBook.issue(book_id="RB-1", collector="c-1", first=1, last=9,
    ...                          issued_on=date(2025, 8, 1))
    >>> used, _ = book.receipt(account_id="A-1", amount=Money("5.00"), energy=Energy("9"),
    ...                        payment_id="P-1", on=date(2025, 8, 1))
    >>> book_change(book, used) is None
    True
    >>> book_change(used, attrs.evolve(used, receipts=()))
    ChangeRefusal(state='issued', changed=('receipts',))
    """
    assert isinstance(stored, ReceiptBook)
    assert isinstance(new, ReceiptBook)
    state = stored.state.value
    if stored.state is BookState.RETURNED:
        frozen = changed_fields(stored, new)
        return ChangeRefusal(state, frozen) if frozen else None
    changed = list(
        changed_fields(stored, new, allowed=("receipts", "state", "returned_on", "returned_to"))
    )
    kept = new.receipts[: len(stored.receipts)]
    if len(kept) < len(stored.receipts) or any(
        changed_fields(old, now, allowed=_VOID_FIELDS) or (old.voided and old != now)
        for old, now in zip(stored.receipts, kept, strict=True)
    ):
        changed.append("receipts")
    return ChangeRefusal(state, tuple(changed)) if changed else None


#: Receipt books, keyed by book id, found by collector and state.
RECEIPT_BOOKS: Aggregate[str, ReceiptBook] = Aggregate(
    kind="receipt_book",
    entity_type=ReceiptBook,
    key_field="book_id",
    indexed=("collector", "state"),
    changes=book_change,
)
#: Hand-over lists (交接清单), keyed by id, found by office and giver; never changed.
HANDOVERS: Aggregate[str, HandOver] = Aggregate(
    kind="cash_handover",
    entity_type=HandOver,
    key_field="handover_id",
    indexed=("office", "giver"),
    changes=never_changes("signed"),
)
#: Deposits and month-end transfers, keyed by id, found by office and kind; never changed.
CASH_MOVEMENTS: Aggregate[str, CashMovement] = Aggregate(
    kind="cash_movement",
    entity_type=CashMovement,
    key_field="movement_id",
    indexed=("office", "kind"),
    changes=never_changes("made"),
)


#: Published area receivable lists (三公开), keyed by ``{area}/{as_of}``; never changed.
PUBLISHED_LISTS: Aggregate[str, PublishedList] = Aggregate(
    kind="published_receivable_list",
    entity_type=PublishedList,
    key_field="list_id",
    indexed=("area",),
    changes=never_changes("published"),
)
