"""Receipt books, the stored book's change rule, hand-over lists and cash postings."""

from __future__ import annotations

from datetime import date

import attrs
import pendulum
import pytest

from powerretail.collections.cash import (
    CashMovement,
    CashRefused,
    HandOver,
    MovementKind,
    PublishedList,
    handover_postings,
    movement_posting,
)
from powerretail.collections.ledger import BANK, CASH, CASH_OVER_SHORT, TRANSFERS_TO_HEAD_OFFICE
from powerretail.collections.receipts import ReceiptBook, ReceiptRefused, number_ranges
from powerretail.errors import InvalidInput
from powerretail.quantities import Energy, Money
from powerretail.repositories.receipts import book_change

DAY = date(2025, 8, 1)
AT = pendulum.datetime(2025, 8, 1, 18, tz="Asia/Shanghai")


def a_book(last: int = 3) -> ReceiptBook:
    return ReceiptBook.issue(book_id="RB-1", collector="c-1", first=1, last=last, issued_on=DAY)


def written(book: ReceiptBook, amount: str = "10.00") -> ReceiptBook:
    return book.receipt(
        account_id="A-1", amount=Money(amount), energy=Energy("5"), payment_id="P", on=DAY
    )[0]


class TestBook:
    def test_bad_ranges_and_amounts_are_refused(self) -> None:
        with pytest.raises(InvalidInput, match="first <= last"):
            ReceiptBook.issue(book_id="RB", collector="c", first=5, last=4, issued_on=DAY)
        with pytest.raises(InvalidInput, match="non-empty"):
            ReceiptBook.issue(book_id="", collector="c", first=1, last=4, issued_on=DAY)
        with pytest.raises(InvalidInput, match="above zero"):
            written(a_book(), "0.00")

    def test_a_used_up_book_refuses_more_and_a_void_needs_a_reason(self) -> None:
        book = written(written(a_book(2)))
        with pytest.raises(ReceiptRefused, match="every number up to 2 is used"):
            written(book)
        with pytest.raises(ReceiptRefused, match="needs a reason"):
            a_book().void(1, by="o", why=" ", on=DAY)
        voided = written(a_book()).void(1, by="o", why="x", on=DAY)
        with pytest.raises(ReceiptRefused, match="already void"):
            voided.void(1, by="o", why="x", on=DAY)
        assert voided.number_of("P") is None
        assert written(a_book()).number_of("P") == 1

    def test_a_return_names_strangers_and_refuses_twice(self) -> None:
        with pytest.raises(ReceiptRefused, match="not of this book"):
            a_book().returned([1, 2, 3, 9], to="f", on=DAY)
        back = a_book().returned([1, 2, 3], to="f", on=DAY)
        with pytest.raises(ReceiptRefused, match="returned already"):
            back.returned([1, 2, 3], to="f", on=DAY)
        with pytest.raises(ReceiptRefused, match="returned"):
            back.void(1, by="o", why="x", on=DAY)

    def test_number_ranges_and_overlaps(self) -> None:
        assert number_ranges([]) == ()
        other = ReceiptBook.issue(book_id="RB-2", collector="c", first=3, last=9, issued_on=DAY)
        assert a_book().overlaps(other)
        assert not a_book(2).overlaps(other)


class TestBookChangeRule:
    def test_a_stored_form_never_changes_but_may_be_voided(self) -> None:
        book = written(a_book())
        altered = attrs.evolve(
            book, receipts=(attrs.evolve(book.receipts[0], amount=Money("1.00")),)
        )
        voided = book.void(1, by="o", why="x", on=DAY)

        assert book_change(book, altered) is not None
        assert book_change(book, voided) is None
        assert book_change(voided, book) is not None  # a void is never undone
        assert book_change(book, attrs.evolve(book, last=99)) is not None

    def test_a_returned_book_never_changes(self) -> None:
        back = a_book().returned([1, 2, 3], to="f", on=DAY)

        assert book_change(back, back) is None
        assert book_change(back, attrs.evolve(back, returned_to="g")) is not None
        assert book_change(a_book(), back) is None


def sheet(counted: str, reason: str = "") -> HandOver:
    return HandOver.count(
        handover_id="H-1",
        office="SO-1",
        on=DAY,
        giver="c-1",
        giver_role="fee_collector",
        taker="o-1",
        taker_role="fee_recovery_officer",
        numbers=(3, 1, 2),
        expected=Money("100.00"),
        counted=Money(counted),
        reason=reason,
    )


class TestCash:
    def test_over_short_and_balanced_hand_overs_post_what_they_should(self) -> None:
        (over,) = handover_postings(sheet("100.50", "customer left change"), at=AT)
        (short,) = handover_postings(sheet("99.00", "note missing"), at=AT)

        assert [(e.side.value, e.account, str(e.amount.amount)) for e in over.entries] == [
            ("debit", CASH, "0.50"),
            ("credit", CASH_OVER_SHORT, "0.50"),
        ]
        assert [(e.side.value, e.account) for e in short.entries] == [
            ("credit", CASH),
            ("debit", CASH_OVER_SHORT),
        ]
        assert handover_postings(sheet("100.00"), at=AT) == ()
        assert sheet("100.00").ranges == ((1, 3),)
        assert not sheet("100.00").is_short

    def test_a_hand_over_to_oneself_or_of_negative_cash_is_refused(self) -> None:
        with pytest.raises(CashRefused, match="giver and taker are one"):
            HandOver.count(
                handover_id="H",
                office="SO",
                on=DAY,
                giver="c",
                giver_role="r",
                taker="c",
                taker_role="r",
                numbers=(),
                expected=Money("0.00"),
                counted=Money("0.00"),
            )
        with pytest.raises(InvalidInput, match="zero or more"):
            sheet("-1.00", "x")

    def test_deposits_and_transfers_post_bank_and_head_office(self) -> None:
        deposit = CashMovement(
            movement_id="D-1",
            office="SO-1",
            kind=MovementKind.DEPOSIT,
            on=DAY,
            amount=Money("5.00"),
            by="o-1",
        )
        transfer = attrs.evolve(deposit, movement_id="T-1", kind=MovementKind.TRANSFER)

        assert [e.account for e in movement_posting(deposit, at=AT).entries] == [BANK, CASH]
        assert [e.account for e in movement_posting(transfer, at=AT).entries] == [
            TRANSFERS_TO_HEAD_OFFICE,
            BANK,
        ]

    def test_a_published_list_pays_from_a_day_not_before_its_end(self) -> None:
        with pytest.raises(InvalidInput, match="pay_until"):
            PublishedList(
                list_id="L",
                area="x",
                as_of=DAY,
                pay_at="hall",
                pay_from=DAY,
                pay_until=date(2025, 7, 1),
                lines=(),
            )
