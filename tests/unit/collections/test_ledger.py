"""The chart, balanced postings, each movement's entries in exact fen, and the folds (R9)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import attrs
import pendulum
import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.collections.allocation import ItemKind
from powerretail.collections.cash import CashMovement, MovementKind, movement_posting
from powerretail.collections.ledger import (
    BANK,
    CASH,
    CUSTOMER_CREDIT,
    DEFAULT_CHART,
    DEPOSITS_HELD,
    RECEIVABLE,
    TRANSFERS_TO_HEAD_OFFICE,
    AccountType,
    Entry,
    LedgerPosting,
    PostingKind,
    Side,
    UnbalancedPosting,
    balances_of,
    bill_issued,
    credit_note_posted,
    deposit_held,
    receivable_of,
    refund_paid,
    reversal,
    trial_balance,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.repositories.ledger import PostingConflict, ledger_head, post, postings_of

AT = pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai")
DUE = date(2025, 8, 16)


def entries(posting: LedgerPosting) -> list[tuple[str, str, str]]:
    return [(e.side.value, e.account, str(e.amount.amount)) for e in posting.entries]


class TestChart:
    def test_accounts_grow_on_their_normal_side(self) -> None:
        assert DEFAULT_CHART.account(RECEIVABLE).type.normal is Side.DEBIT
        assert DEFAULT_CHART.account(CUSTOMER_CREDIT).type.normal is Side.CREDIT
        assert AccountType.EXPENSE.normal is Side.DEBIT
        assert DEFAULT_CHART.account(RECEIVABLE).per_party

    def test_transfers_to_head_office_are_an_asset_grown_by_the_month_end_transfer(self) -> None:
        transfer = movement_posting(
            CashMovement(
                movement_id="M-1",
                office="SO-1",
                kind=MovementKind.TRANSFER,
                on=date(2025, 8, 31),
                amount=Money("87.50"),
                by="office head",
            ),
            at=AT,
        )

        (entry,) = [e for e in transfer.entries if e.account == TRANSFERS_TO_HEAD_OFFICE]

        assert DEFAULT_CHART.account(TRANSFERS_TO_HEAD_OFFICE).type is AccountType.ASSET
        assert entry.side is DEFAULT_CHART.account(TRANSFERS_TO_HEAD_OFFICE).type.normal

    def test_deposits_held_for_customers_are_a_liability_grown_by_a_deposit(self) -> None:
        held = deposit_held("deposit/k/held", party="A-1", amount=Money("500.00"), at=AT, dated=DUE)

        (entry,) = [e for e in held.entries if e.account == DEPOSITS_HELD]

        assert DEFAULT_CHART.account(DEPOSITS_HELD).type is AccountType.LIABILITY
        assert entry.side is Side.CREDIT is AccountType.LIABILITY.normal

    def test_the_explanation_page_gives_every_account_its_type_in_the_chart(self) -> None:
        page = Path(__file__).parents[3] / "docs" / "explanation" / "ledger.md"
        rows = re.findall(
            r"^\| (\d{4})(?:\.\*component\*)? \| [^|]+ \| (\w+) \|", page.read_text("utf-8"), re.M
        )

        documented = dict(rows)

        assert documented == {a.code: a.type.value for a in DEFAULT_CHART.accounts}

    def test_only_revenue_has_component_sub_accounts(self) -> None:
        assert DEFAULT_CHART.account("6001.funds").name_zh == "电费收入-funds"
        with pytest.raises(InvalidInput, match="an account of the chart"):
            DEFAULT_CHART.account("1002.sub")
        with pytest.raises(InvalidInput):
            DEFAULT_CHART.account("6001.")


class TestPosting:
    def test_a_posting_that_does_not_balance_cannot_be_built(self) -> None:
        with pytest.raises(UnbalancedPosting, match=r"debits 10.00 CNY, credits 9.99 CNY"):
            LedgerPosting(
                posting_id="X",
                party="A-1",
                kind=PostingKind.CASH,
                at=AT,
                dated=DUE,
                entries=(
                    Entry(account=CASH, side=Side.DEBIT, amount=Money("10.00")),
                    Entry(account=BANK, side=Side.CREDIT, amount=Money("9.99")),
                ),
            )

    def test_an_empty_posting_and_a_zero_or_negative_entry_are_refused(self) -> None:
        with pytest.raises(UnbalancedPosting, match=r"0\.00 CNY"):
            LedgerPosting(
                posting_id="X", party="A-1", kind=PostingKind.CASH, at=AT, dated=DUE, entries=()
            )
        with pytest.raises(InvalidInput, match="above zero"):
            Entry(account=CASH, side=Side.DEBIT, amount=Money("0.00"))
        with pytest.raises(InvalidInput, match="non-empty"):
            bill_issued("B", party="", lines={"energy": Money("1.00")}, due=DUE, at=AT)

    def test_entries_in_two_currencies_are_refused(self) -> None:
        with pytest.raises(InvalidInput, match="one currency"):
            LedgerPosting(
                posting_id="X",
                party="A-1",
                kind=PostingKind.CASH,
                at=AT,
                dated=DUE,
                entries=(
                    Entry(account=CASH, side=Side.DEBIT, amount=Money("1.00")),
                    Entry(account=BANK, side=Side.CREDIT, amount=Money("1.00", "USD")),
                ),
            )

    def test_a_discount_line_debits_its_revenue(self) -> None:
        posting = bill_issued(
            "B-1",
            party="A-1",
            lines={"energy": Money("100.00"), "discount": Money("-12.34"), "free": Money("0")},
            due=DUE,
            at=AT,
        )

        assert entries(posting) == [
            ("debit", RECEIVABLE, "87.66"),
            ("debit", "6001.discount", "12.34"),
            ("credit", "6001.energy", "100.00"),
        ]
        with pytest.raises(InvalidInput, match="above zero"):
            bill_issued("B-2", party="A-1", lines={"energy": Money("0.00")}, due=DUE, at=AT)

    def test_a_credit_note_credits_what_the_bill_owes_then_account_credit(self) -> None:
        posting = credit_note_posted(
            "B-1-CN",
            party="A-1",
            corrects="B-1",
            lines={"energy": Money("-100.00"), "funds": Money("-5.00")},
            reduced=Money("60.00"),
            at=AT,
            dated=DUE,
        )

        assert entries(posting) == [
            ("debit", "6001.energy", "100.00"),
            ("debit", "6001.funds", "5.00"),
            ("credit", RECEIVABLE, "60.00"),
            ("credit", CUSTOMER_CREDIT, "45.00"),
        ]
        with pytest.raises(InvalidInput, match="below zero"):
            credit_note_posted(
                "X",
                party="A-1",
                corrects="B-1",
                lines={"energy": Money("1.00")},
                reduced=Money("0.00"),
                at=AT,
                dated=DUE,
            )

    def test_a_refund_and_a_reversal_fold_to_nothing_with_their_originals(self) -> None:
        refund = refund_paid("R-1", party="A-1", amount=Money("30.00"), at=AT, dated=DUE)
        undone = reversal(refund, posting_id="R-1/rev", at=AT, why="paid to the wrong bank")

        assert entries(refund) == [("debit", CUSTOMER_CREDIT, "30.00"), ("credit", BANK, "30.00")]
        assert undone.reverses == "R-1"
        assert all(b.amount.is_zero() for b in balances_of([refund, undone], "A-1"))
        assert balances_of([refund], "A-2") == ()


class TestFolds:
    def test_a_settled_item_charged_again_is_dated_by_the_new_charge(self) -> None:
        first = bill_issued("B-1", party="A-1", lines={"e": Money("10.00")}, due=DUE, at=AT)
        paid = reversal(first, posting_id="undo", at=AT, why="test")
        again = bill_issued(
            "B-1",
            party="A-1",
            lines={"e": Money("4.00")},
            due=date(2025, 9, 1),
            at=AT,
            posting_id="again",
        )
        numbered = [
            attrs.evolve(p, sequence=n) for n, p in enumerate((again, paid, first)[::-1], start=1)
        ]
        (item,), credit = receivable_of(numbered, "A-1")

        assert (item.amount, item.dated, item.kind) == (
            Money("4.00"),
            date(2025, 9, 1),
            ItemKind.PRINCIPAL,
        )
        assert credit.is_zero()
        assert sum(b.amount.amount for b in trial_balance(numbered)) == 0


class TestPost:
    def test_post_numbers_a_partys_postings_and_caches_their_balances(self) -> None:
        store = MemoryStore()
        one = bill_issued("B-1", party="A-1", lines={"energy": Money("10.00")}, due=DUE, at=AT)
        two = refund_paid("R-1", party="A-1", amount=Money("3.00"), at=AT, dated=DUE)
        with store.unit_of_work() as uow:
            post(uow, one)
            post(uow, two)
            uow.commit()
        with store.unit_of_work() as uow:
            head = ledger_head(uow, "A-1")
            stored = postings_of(uow, "A-1")
            empty = ledger_head(uow, "A-9")

        assert [p.sequence for p in stored] == [1, 2]
        assert head.sequence == 2
        assert {b.account: str(b.amount.amount) for b in head.balances} == {
            BANK: "-3.00",
            CUSTOMER_CREDIT: "3.00",
            RECEIVABLE: "10.00",
            "6001.energy": "-10.00",
        }
        assert empty.sequence == 0

    def test_another_movement_under_a_stored_id_and_an_unknown_account_are_refused(
        self,
    ) -> None:
        store = MemoryStore()
        one = bill_issued("B-1", party="A-1", lines={"energy": Money("10.00")}, due=DUE, at=AT)
        other = bill_issued("B-1", party="A-1", lines={"energy": Money("11.00")}, due=DUE, at=AT)
        odd = LedgerPosting(
            posting_id="odd",
            party="A-1",
            kind=PostingKind.CASH,
            at=AT,
            dated=DUE,
            entries=(
                Entry(account="9999", side=Side.DEBIT, amount=Money("1.00")),
                Entry(account=BANK, side=Side.CREDIT, amount=Money("1.00")),
            ),
        )
        with store.unit_of_work() as uow:
            post(uow, one)
            with pytest.raises(PostingConflict, match="compensating posting"):
                post(uow, other)
            with pytest.raises(InvalidInput, match="9999"):
                post(uow, odd)
